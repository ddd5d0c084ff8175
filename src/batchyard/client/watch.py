"""Poll a job until its batches are terminal, starting waiting parts as slots free up.

Watching and submitting are one loop: a part can only start when another
finishes, so whoever is watching must also submit, or a job whose `submit`
was killed would wait forever. Progress is drawn with rich: a bar per batch
and one for the job, each with its rate and ETA (rich estimates both from
the recent counts).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from batchyard.client.manifest import Part
from batchyard.client.submit import Submitter
from batchyard.wording import counted

# Bars for more parts than this show only the unfinished ones.
_MANY_PARTS = 12


class RateColumn(ProgressColumn):
    """Requests per second over rich's recent window."""

    max_refresh: ClassVar[float | None] = 1.0  # type: ignore[misc]

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text(f"{speed:,.0f}/s" if speed else "", style="progress.data.speed")


def summary(submitter: Submitter) -> str:
    """One line for the end of a job: counts, never request content."""
    parts = submitter.manifest.parts
    statuses: dict[str, int] = {}
    for part in parts:
        key = "refused" if part.state == "rejected" else (part.status or "waiting")
        statuses[key] = statuses.get(key, 0) + 1
    # Each line once, by its last try: a success is never retried, and a failure a
    # retry sent again is no longer one (whatever the retry comes to, it counts there).
    done = sum(p.completed for p in parts)
    failed = sum(p.failed for p in parts) - sum(p.retried_failures for p in parts)
    states = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    return (
        f"batchyard {submitter.manifest.job}: {counted(len(parts), 'batch', 'batches')} "
        f"({states}); {done:,} succeeded, {failed:,} failed of "
        f"{counted(submitter.manifest.requests, 'request')}"
    )


class Watcher:
    """Drives `Submitter.advance` every `interval` seconds and draws the bars."""

    def __init__(self, submitter: Submitter, console: Console, interval: float) -> None:
        self.submitter = submitter
        self.console = console
        self.interval = interval
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
            # Many parts, each polled rarely: a long window keeps the rate steady.
            speed_estimate_period=120,
        )
        self.tasks: dict[str, TaskID] = {}
        self.total: TaskID | None = None

    def run(self, until: Callable[[Submitter], bool]) -> None:
        """Advance until `until(submitter)`; the bars stay on screen afterwards."""
        with self.progress:
            while True:
                self.submitter.advance()
                self.draw()
                if until(self.submitter):
                    return
                time.sleep(self.interval)

    def draw(self) -> None:
        manifest = self.submitter.manifest
        many = len(manifest.parts) > _MANY_PARTS
        for part in manifest.parts:
            if part.state in ("pending", "uploading", "uploaded", "creating") and many:
                continue
            task = self.tasks.get(part.name)
            if task is None:
                task = self.progress.add_task(part.name, total=part.requests)
                self.tasks[part.name] = task
            self.progress.update(
                task,
                description=f"{part.name} {_status(part)}",
                total=part.total or part.requests,
                completed=part.completed + part.failed,
                visible=not (many and part.terminal),
            )
        if self.total is None:
            self.total = self.progress.add_task("total", total=manifest.requests)
        unfinished = sum(not p.terminal for p in manifest.parts)
        self.progress.update(
            self.total,
            description=f"[bold]total[/] {unfinished} of {len(manifest.parts)} batches unfinished",
            total=sum(p.total or p.requests for p in manifest.parts),
            completed=sum(p.completed + p.failed for p in manifest.parts),
        )


def _status(part: Part) -> str:
    if part.state == "rejected":
        return "[red]refused[/]"
    if part.state != "submitted":
        return "[dim]waiting[/]"
    colour = {"completed": "green", "failed": "red", "expired": "yellow", "cancelled": "yellow"}
    status = part.status or "validating"
    return f"[{colour[status]}]{status}[/]" if status in colour else status
