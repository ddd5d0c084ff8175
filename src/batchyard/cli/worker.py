"""`batchyard worker`: the engine alone, for the batches that any API process accepted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from batchyard import __version__
from batchyard.cli.options import BadConfig, console, load_cli_settings, storage_options, where
from batchyard.config import ConfigError


@click.command()
@storage_options
@click.option(
    "--metrics-port",
    type=int,
    default=0,
    help="Serve /health and /metrics (Prometheus) on this port; 0: off.",
)
@click.option("--metrics-host", default="127.0.0.1", show_default=True)
def worker(
    data_dir: Path | None,
    config: Path | None,
    database_url: str | None,
    blob_url: str | None,
    metrics_port: int,
    metrics_host: str,
) -> None:
    """Run batches: validate, run lines against the models, finalize, expire.

    \b
    Start as many as you like, on any machines that share the database and
    the bucket with the API processes (`batchyard serve --no-worker`):
      batchyard worker --config batchyard.toml \\
        --database-url postgresql://batchyard@db/batchyard --blob-url s3://bucket/batchyard
    SIGTERM (or Ctrl-C) lets in-flight lines finish and hands the rest back.
    """
    from batchyard.runtime.serve import work

    settings = load_cli_settings(config, data_dir, database_url=database_url, blob_url=blob_url)
    console.print(
        f"batchyard {__version__} worker (models: "
        f"{', '.join(m.name for m in settings.models)}; {where(settings)})"
    )
    try:
        asyncio.run(work(settings, metrics_host=metrics_host, metrics_port=metrics_port))
    except ConfigError as exc:
        raise BadConfig(str(exc)) from None
