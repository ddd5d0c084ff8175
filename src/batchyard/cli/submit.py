"""`batchyard submit`: split, upload and create batches, at most K in flight, resumably."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from batchyard.cli.options import (
    base_url_option,
    interval_option,
    limits_options,
    say,
    user_errors,
)
from batchyard.cli.watch import follow, notify_options
from batchyard.client.connection import make_client, resolve_base_url
from batchyard.client.errors import ToolkitError
from batchyard.client.manifest import default_manifest_path, lock_job
from batchyard.client.submit import JobOptions, open_job
from batchyard.wording import counted


def _metadata(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--metadata")
        out[key] = value
    return out


@click.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@base_url_option
@click.option(
    "-m", "--manifest", "manifest_path", type=click.Path(dir_okay=False, path_type=Path),
    help="The job's manifest (default: FIRST.batchyard.json beside the first file).",
)  # fmt: skip
@click.option("-e", "--endpoint", help="The batch endpoint (default: the first line's url).")
@click.option("--completion-window", default="24h", show_default=True)
@limits_options(
    "Requests per batch at most (the target's limit).",
    "Bytes per batch file at most (e.g. 200MB).",
)
@click.option(
    "-k", "--max-in-flight", type=click.IntRange(min=1), default=3, show_default=True,
    help="Batches running at once; the next starts when one ends.",
)  # fmt: skip
@click.option("--metadata", "pairs", multiple=True, metavar="KEY=VALUE", help="Batch metadata.")
@click.option("--wait", is_flag=True, help="Then watch until every batch is terminal.")
@click.option(
    "--no-model-check", is_flag=True,
    help="Do not ask the server (GET /v1/models) whether it offers the files' model; "
    "for gateways that route models they do not list.",
)  # fmt: skip
@interval_option
@notify_options
def submit(
    files: tuple[Path, ...],
    manifest_path: Path | None,
    pairs: tuple[str, ...],
    wait: bool,
    no_model_check: bool,
    interval: float,
    desktop: bool,
    slack_webhook: str | None,
    **job: Any,  # the rest of the options are JobOptions' fields, by the same names
) -> None:
    """Submit FILES (batch JSONL) as one job of as many batches as the limits need.

    \b
    Validates, splits, uploads and creates batches, at most --max-in-flight at
    a time, recording each step in the manifest first. Run the same command
    again after a crash or Ctrl-C: it resumes and never creates a batch twice.
    Without --wait it returns once every batch is created; with it, it exits 1
    if a batch failed or was refused, after printing why.
    Examples:
      batchyard submit requests.jsonl --base-url http://127.0.0.1:8000/v1 --wait
      OPENAI_API_KEY=sk-... batchyard submit big.jsonl -k 2 --metadata project=kb
      batchyard submit a.jsonl b.jsonl -m job.batchyard.json --max-requests 10000
    """
    manifest_path = manifest_path or default_manifest_path(files[0])
    with user_errors(), lock_job(manifest_path):
        options = JobOptions(**job, metadata=_metadata(pairs))
        manifest, resumed = open_job(list(files), manifest_path, options, not no_model_check)
        client = make_client(resolve_base_url(options.base_url, manifest))
        if resumed:
            say(f"resuming {manifest.job} from {manifest_path}")
        else:
            say(
                f"{manifest.job}: {counted(manifest.requests, 'request')} in "
                f"{counted(len(manifest.parts), 'batch', 'batches')} to {manifest.base_url}; "
                f"manifest {manifest_path}"
            )
        if not manifest.parts:
            raise ToolkitError("nothing to submit")
        follow(
            manifest,
            client,
            interval=interval,
            wait=wait,
            desktop=desktop,
            slack_webhook=slack_webhook,
        )
