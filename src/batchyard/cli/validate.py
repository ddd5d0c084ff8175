"""`batchyard validate`: the server's checks and the target's limits, on this machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from batchyard.cli.options import limits_options, say, user_errors
from batchyard.client.connection import make_client, resolve_base_url
from batchyard.client.models import served_models
from batchyard.client.validate import check, describe, infer_endpoint


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-e", "--endpoint", help="The batch endpoint (default: the first line's url).")
@click.option(
    "--model", "models", multiple=True,
    help="A model the target serves; repeat for several. Default: any model.",
)  # fmt: skip
@limits_options(
    "The target's requests per batch.",
    "The target's batch file size (e.g. 200MB, 100MiB).",
)
@click.option("--max-errors", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option(
    "--base-url",
    help="Ask this server (or $OPENAI_BASE_URL's) which models it offers (GET /v1/models) "
    "instead of naming them with --model.",
)
def validate(
    file: Path,
    endpoint: str | None,
    models: tuple[str, ...],
    base_url: str | None,
    max_requests: int,
    max_bytes: int,
    max_errors: int,
) -> None:
    """Check FILE as a batchyard server would, and against the target's limits.

    \b
    Prints every problem as FILE:LINE: code (param): message, and exits 1 if
    there is any. Lines are 1-based. Examples:
      batchyard validate requests.jsonl
      batchyard validate requests.jsonl --model gpt-4o-mini --max-bytes 100MB
      batchyard validate requests.jsonl --base-url http://127.0.0.1:8000/v1
    A file over the limits can still be submitted: `batchyard submit` splits it.
    """
    with user_errors():
        endpoint = endpoint or infer_endpoint(file)
        offered: set[str] | None = set(models) if models else None
        if offered is None and (base_url or os.environ.get("OPENAI_BASE_URL")):
            offered = served_models(make_client(resolve_base_url(base_url)), endpoint)
        report = check(
            file,
            endpoint=endpoint,
            max_requests=max_requests,
            max_bytes=max_bytes,
            models=offered,
            max_errors=max_errors,
        )
    for line in describe(file, report, limit=max_errors):
        click.echo(line)
    if report.ok:
        model = f", model {report.model}" if report.model else ""
        say(f"[green]ok[/]: {report.requests:,} {endpoint} requests{model}")
        return
    if any(e.code in ("too_many_requests", "file_too_large") for e in report.errors):
        say("over the limits: `batchyard split` or `batchyard submit` cuts it into parts")
    sys.exit(1)
