"""`batchyard serve`: the API and the engine in one process."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

import click

from batchyard import __version__
from batchyard.cli import cli, config_option, console, load_cli_settings


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the SQLite database and file bytes live (default: ./data).",
)
@config_option
@click.option("--no-worker", is_flag=True, help="Run the API only; `batchyard worker` runs lines.")
def serve(
    host: str, port: int, data_dir: Path | None, config: Path | None, no_worker: bool
) -> None:
    """Serve the Files and Batches API under /v1, and run the batches.

    \b
    Point any OpenAI client at it:
      OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="unused")
    """
    from batchyard.server import serve as serve_forever

    settings = load_cli_settings(config, data_dir)
    if not ipaddress.ip_address(_resolve(host)).is_loopback:
        console.print(
            f"[yellow]warning:[/] listening on {host} with no API keys: anyone who "
            "can reach it can use it."
        )
    console.print(
        f"batchyard {__version__} on http://{host}:{port}/v1 "
        f"(data in {settings.data_dir}, models: "
        f"{', '.join(m.name for m in settings.models)})"
    )
    asyncio.run(serve_forever(settings, host, port, worker=not no_worker))


def _resolve(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "0.0.0.0"
    return host
