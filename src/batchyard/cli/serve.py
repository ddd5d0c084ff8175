"""`batchyard serve`: the API, and unless `--no-worker`, the engine in the same process."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from batchyard import __version__
from batchyard.cli.options import BadConfig, console, load_cli_settings, storage_options, where
from batchyard.config import ConfigError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int)
@storage_options
@click.option("--no-worker", is_flag=True, help="Run the API only; `batchyard worker` runs lines.")
@click.option(
    "--insecure-no-auth",
    is_flag=True,
    help="Allow listening beyond loopback while no API key exists (anyone may use it).",
)
@click.option("--no-dashboard", is_flag=True, help="Do not serve the dashboard at /dashboard.")
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    config: Path | None,
    database_url: str | None,
    blob_url: str | None,
    no_worker: bool,
    insecure_no_auth: bool,
    no_dashboard: bool,
) -> None:
    """Serve the Files and Batches API under /v1, and run the batches.

    \b
    With no API key created, it serves only loopback, to anyone on this machine:
      OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="unused")
    Once `batchyard keys create --project NAME` has made a key, every request
    needs one (`Authorization: Bearer sk-by-…`, as the SDK sends api_key).
    Many machines: share one PostgreSQL database and one bucket, and run
    `serve --no-worker` and `batchyard worker` as often as needed.
    """
    from batchyard.runtime.serve import serve as serve_forever

    settings = load_cli_settings(config, data_dir, database_url=database_url, blob_url=blob_url)
    role = "API only" if no_worker else f"models: {', '.join(m.name for m in settings.models)}"
    console.print(f"batchyard {__version__} on http://{host}:{port}/v1 ({role}; {where(settings)})")
    try:
        asyncio.run(
            serve_forever(
                settings,
                host,
                port,
                worker=not no_worker,
                insecure_no_auth=insecure_no_auth,
                dashboard=not no_dashboard,
            )
        )
    except ConfigError as exc:
        raise BadConfig(str(exc)) from None
