"""`batchyard retry`: failed, missing and expired lines into new batches of the same job."""

from __future__ import annotations

from pathlib import Path

import click

from batchyard.cli.collect import refresh_and_download
from batchyard.cli.options import (
    base_url_option,
    interval_option,
    manifest_argument,
    open_job,
    say,
    user_errors,
)
from batchyard.cli.watch import follow, notify_options
from batchyard.client.index import Index
from batchyard.client.retry import add_round, add_round_on_server, retryable
from batchyard.client.submit import Submitter
from batchyard.wording import counted


@click.command()
@manifest_argument
@base_url_option
@click.option(
    "--codes", help="Retry only errors with these codes, comma-separated (error.code, or the "
    "HTTP status: batch_expired,429,mock_error). Missing lines are always retried.",
)  # fmt: skip
@click.option("--no-missing", is_flag=True, help="Do not retry lines that have no result.")
@click.option("--wait", is_flag=True, help="Watch the retry batches until they end.")
@click.option(
    "--until-done", is_flag=True,
    help="Retry, wait, collect and retry again until every line succeeded or --max-rounds.",
)  # fmt: skip
@click.option("--max-rounds", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--dry-run", is_flag=True, help="Only say how many lines would be retried.")
@click.option(
    "--client-side", is_flag=True,
    help="Write and upload the retry files here even where the server offers "
    "POST /v1/batches/{id}/retry.",
)  # fmt: skip
@interval_option
@notify_options
def retry(
    manifest_path: Path,
    base_url: str | None,
    codes: str | None,
    no_missing: bool,
    wait: bool,
    until_done: bool,
    max_rounds: int,
    dry_run: bool,
    client_side: bool,
    interval: float,
    desktop: bool,
    slack_webhook: str | None,
) -> None:
    """Send MANIFEST's unsuccessful lines again, as new batches linked in the manifest.

    \b
    A line is retried when its last batch ended without a success for it:
    an error line (model error, batch_expired, batch_cancelled) or no line at
    all (its batch failed or was refused). Finished batches are downloaded
    first, as by collect; `batchyard collect` then merges every round.
    Examples:
      batchyard retry job.batchyard.json --wait
      batchyard retry job.batchyard.json --codes batch_expired,429 --wait
      batchyard retry job.batchyard.json --until-done --max-rounds 3
    """
    wanted = {c.strip() for c in codes.split(",") if c.strip()} if codes else None
    with user_errors():
        manifest, client = open_job(manifest_path, base_url)
        with manifest.lock(), Index(manifest.index_path) as index:
            rounds = 0
            while True:
                refresh_and_download(manifest, Submitter(manifest, client), index)
                running = sum(not p.terminal for p in manifest.parts)
                if running:
                    batches = counted(running, "batch", "batches")
                    say(f"{batches} still running; their lines wait for them")
                ids = list(retryable(manifest, index, wanted, missing=not no_missing))
                if not ids:
                    say("nothing to retry")
                    if until_done and running:
                        follow(manifest, client, interval=interval, wait=True)
                        continue
                    return
                if dry_run:
                    say(f"{counted(len(ids), 'line')} would be retried")
                    return
                if rounds == max_rounds:
                    after = counted(rounds, "round")
                    say(f"{counted(len(ids), 'line')} still unsuccessful after {after}")
                    return
                if client_side:
                    parts = add_round(manifest, index, ids)
                else:
                    submitter = Submitter(manifest, client, on_event=say)
                    parts = add_round_on_server(manifest, index, ids, submitter)
                rounds += 1
                say(
                    f"round {manifest.rounds}: {counted(len(ids), 'line')} in "
                    f"{counted(len(parts), 'new batch', 'new batches')}"
                )
                follow(
                    manifest,
                    client,
                    interval=interval,
                    wait=wait or until_done,
                    desktop=desktop,
                    slack_webhook=slack_webhook,
                )
                if not until_done:
                    return
