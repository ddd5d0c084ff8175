"""`batchyard serve`: the API, and unless `--no-worker`, the engine in the same process."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

import click

from batchyard import __version__
from batchyard.cli import (
    blob_url_option,
    cli,
    config_option,
    console,
    data_dir_option,
    database_url_option,
    load_cli_settings,
    where,
)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int)
@data_dir_option
@config_option
@database_url_option
@blob_url_option
@click.option("--no-worker", is_flag=True, help="Run the API only; `batchyard worker` runs lines.")
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    config: Path | None,
    database_url: str | None,
    blob_url: str | None,
    no_worker: bool,
) -> None:
    """Serve the Files and Batches API under /v1, and run the batches.

    \b
    Point any OpenAI client at it:
      OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="unused")
    Many machines: share one PostgreSQL database and one bucket, and run
    `serve --no-worker` and `batchyard worker` as often as needed.
    """
    from batchyard.server import serve as serve_forever

    settings = load_cli_settings(config, data_dir, database_url=database_url, blob_url=blob_url)
    if not ipaddress.ip_address(_resolve(host)).is_loopback:
        console.print(
            f"[yellow]warning:[/] listening on {host} with no API keys: anyone who "
            "can reach it can use it."
        )
    role = "API only" if no_worker else f"models: {', '.join(m.name for m in settings.models)}"
    console.print(f"batchyard {__version__} on http://{host}:{port}/v1 ({role}; {where(settings)})")
    asyncio.run(serve_forever(settings, host, port, worker=not no_worker))


def _resolve(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "0.0.0.0"
    return host
