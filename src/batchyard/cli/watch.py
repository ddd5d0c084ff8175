"""`batchyard watch`: live progress of a job until every batch is terminal, then notify."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from batchyard.cli import cli, console
from batchyard.cli.options import (
    base_url_option,
    interval_option,
    manifest_argument,
    open_job,
    say,
    user_errors,
)
from batchyard.client.manifest import Manifest
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
    return submitter


@cli.command()
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
