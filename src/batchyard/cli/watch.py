"""`batchyard watch`: live progress of a job until every batch is terminal, then notify."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from batchyard.cli.options import (
    base_url_option,
    console,
    interval_option,
    manifest_argument,
    open_job,
    say,
    user_errors,
)
from batchyard.client.manifest import Manifest, Part
from batchyard.client.notify import notify
from batchyard.client.submit import Submitter
from batchyard.client.watch import Watcher, summary

if TYPE_CHECKING:
    import openai

F = TypeVar("F", bound=Callable[..., Any])


def notify_options(func: F) -> F:
    func = click.option(
        "--notify", "desktop", is_flag=True,
        help="A desktop notification at the end (needs notify-send).",
    )(func)  # fmt: skip
    return click.option(
        "--slack-webhook", envvar="BATCHYARD_SLACK_WEBHOOK", metavar="URL",
        help="Post the end summary to this Slack incoming webhook "
        "(or set $BATCHYARD_SLACK_WEBHOOK).",
    )(func)  # fmt: skip


def follow(
    manifest: Manifest,
    client: openai.OpenAI,
    *,
    interval: float,
    wait: bool,
    desktop: bool = False,
    slack_webhook: str | None = None,
) -> Submitter:
    """Advance the job until every part is started (or, with `wait`, terminal)."""
    submitter = Submitter(manifest, client, on_event=lambda m: say(m))
    watcher = Watcher(submitter, console, interval)
    watcher.run(lambda s: s.all_terminal if wait else s.all_started)
    if wait:
        line = summary(submitter)
        say(line)
        for warning in notify(line, desktop=desktop, slack_webhook=slack_webhook):
            say(f"[yellow]warning:[/] {warning}")
        unfinished = report_failures(submitter)
        if unfinished:
            say(f"[red]{unfinished}[/]")
        if any(p.state == "rejected" or p.status == "failed" for p in latest_round(submitter)):
            sys.exit(1)  # expired and cancelled batches kept what they ran: `collect`, `retry`
    return submitter


def report_failures(submitter: Submitter, limit: int = 10) -> str | None:
    """Print why each batch of the latest round that did not complete ended; None when
    every one completed."""
    parts = latest_round(submitter)
    bad = [p for p in parts if p.status != "completed"]
    if not bad:
        return None
    for part in bad:
        if part.state == "rejected":
            say(f"{part.name}: the server refused the batch: {part.error}")
            continue
        say(f"{part.name}: batch {part.batch_id} {part.status}")
        if part.status == "failed" and part.batch_id:
            errors = submitter.client.batches.retrieve(part.batch_id).errors
            data = list(errors.data or []) if errors is not None else []
            for error in data[:limit]:
                where = f"line {error.line}: " if error.line else ""
                param = f" ({error.param})" if error.param else ""
                say(f"  {where}{error.code}{param}: {error.message}")
            if len(data) > limit:
                say(f"  ... and {len(data) - limit:,} more")
    word = "batch" if len(parts) == 1 else "batches"
    return f"{len(bad)} of {len(parts)} {word} did not complete"


def latest_round(submitter: Submitter) -> list[Part]:
    """The parts this command sent: the inputs' split, or the newest retry round."""
    manifest = submitter.manifest
    return [p for p in manifest.parts if p.round == manifest.rounds]


@click.command()
@manifest_argument
@base_url_option
@interval_option
@notify_options
def watch(
    manifest_path: Path,
    base_url: str | None,
    interval: float,
    desktop: bool,
    slack_webhook: str | None,
) -> None:
    """Show a job's batches until all are terminal; start waiting parts as slots free up.

    \b
    A bar per batch and one in total, with rate and ETA. Safe to stop (Ctrl-C)
    and start again; it also finishes the work of a `submit` that was killed.
    Examples:
      batchyard watch requests.batchyard.json
      batchyard watch requests.batchyard.json --notify --interval 60
      BATCHYARD_SLACK_WEBHOOK=https://hooks.slack.com/... batchyard watch job.batchyard.json
    """
    with user_errors():
        manifest, client = open_job(manifest_path, base_url)
        with manifest.lock():
            follow(
                manifest,
                client,
                interval=interval,
                wait=True,
                desktop=desktop,
                slack_webhook=slack_webhook,
            )
