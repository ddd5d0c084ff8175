"""The `batchyard` command.

\b
  batchyard run requests.jsonl            # run a batch file here, no server
  batchyard serve                          # the OpenAI-compatible Batch API on :8000
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from batchyard import __version__
from batchyard.config import ConfigError, Settings, load_settings
from batchyard.records import BatchRecord

console = Console(stderr=True)


def _settings(config: Path | None, data_dir: Path | None) -> Settings:
    try:
        return load_settings(config, data_dir=data_dir)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


config_option = click.option(
    "--config", type=click.Path(dir_okay=False, path_type=Path), help="A TOML config file."
)


@click.group(help=__doc__)
@click.version_option(__version__, prog_name="batchyard")
def cli() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


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

    settings = _settings(config, data_dir)
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


@cli.command()
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the output file goes (default: INPUT.output.jsonl).",
)
@click.option(
    "-e",
    "--errors",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the error file goes (default: INPUT.errors.jsonl).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".batchyard"),
    show_default=True,
    help="Where run state lives; keep it to resume after a crash.",
)
@config_option
def run(
    input_file: Path, output: Path | None, errors: Path | None, data_dir: Path, config: Path | None
) -> None:
    """Run INPUT_FILE (OpenAI batch JSONL) to completion, without a server.

    \b
    Writes OpenAI-shaped output and error files. Interrupted? Run the same
    command again: it continues the same batch instead of starting over.
      batchyard run examples/kb/requests.jsonl -o vectors.jsonl
    """
    from batchyard.job import run_file

    logging.getLogger().setLevel(logging.WARNING)
    settings = _settings(config, data_dir)
    stem = input_file.with_suffix("")
    output = output or stem.with_name(stem.name + ".output.jsonl")
    errors = errors or stem.with_name(stem.name + ".errors.jsonl")
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
    )
    task = progress.add_task("validating", total=None, rate="")

    def on_start(batch: BatchRecord, resumed: bool) -> None:
        word = "Resuming" if resumed else "Started"
        console.print(f"{word} {batch.id} for {input_file}")

    def on_progress(batch: BatchRecord) -> None:
        done = batch.completed + batch.failed
        elapsed = progress.tasks[0].elapsed or 0.0
        rate = f"{done / elapsed:,.0f} lines/s" if elapsed > 0 and done else ""
        progress.update(
            task,
            description=batch.status.value,
            completed=done,
            total=batch.total or None,
            rate=rate,
        )

    with progress:
        outcome = run_file(
            settings,
            input_file,
            output=output,
            errors=errors,
            on_start=on_start,
            on_progress=on_progress,
        )
    batch = outcome.batch
    if batch.status.value == "failed":
        console.print(
            f"[red]The input file failed validation[/] ({len(batch.errors or [])} errors):"
        )
        for error in (batch.errors or [])[:20]:
            where = f"line {error.get('line')}: " if error.get("line") else ""
            console.print(f"  {where}{error.get('code')}: {error.get('message')}")
        sys.exit(1)
    usage = batch.usage
    console.print(
        f"[bold]{batch.status.value}[/] {batch.total:,} lines in {outcome.seconds:,.1f}s: "
        f"{batch.completed:,} succeeded, {batch.failed:,} failed; "
        f"tokens in {usage.input_tokens:,}, out {usage.output_tokens:,}"
    )
    if outcome.output:
        console.print(f"  output: {outcome.output}")
    if outcome.errors:
        console.print(f"  errors: {outcome.errors}")


def main() -> None:
    cli()
