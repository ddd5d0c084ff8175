"""The batch page's chart: finished lines over time, the ETA line, and `expires_at`, as inline SVG.

Drawn on the server, so it needs no charting library and no script; htmx swaps
it in with the rest of the summary. The points are what the store knows (start,
the two progress marks, now) plus what this process saw on earlier polls.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from markupsafe import Markup

from batchyard.store import Store

WIDTH, HEIGHT, PAD = 640, 180, 28
_KEEP_BATCHES = 256
_KEEP_POINTS = 240
_NEAR = 4  # show expires_at to scale when it is within 4x the span drawn


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{max(0, seconds) / 60:.0f} min"


class Samples:
    """(time, finished, failed) per batch, seen when its page polled; bounded in size."""

    def __init__(self) -> None:
        self._series: OrderedDict[str, list[tuple[float, int, int]]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, batch: dict[str, Any]) -> list[tuple[float, int, int]]:
        counts = batch["request_counts"]
        point = (time.time(), counts["completed"] + counts["failed"], counts["failed"])
        with self._lock:
            series = self._series.setdefault(batch["id"], [])
            self._series.move_to_end(batch["id"])
            if not series or series[-1][1:] != point[1:]:
                series.append(point)
                del series[:-_KEEP_POINTS]
            while len(self._series) > _KEEP_BATCHES:
                self._series.popitem(last=False)
            return list(series)


def progress_chart(
    store: Store, batch: dict[str, Any], seen: list[tuple[float, int, int]]
) -> Markup:
    """An SVG of finished (and failed) lines against time, from start to `expires_at`."""
    total = max(1, int(batch["request_counts"]["total"]))
    start = float(batch["in_progress_at"] or batch["created_at"])
    points: list[tuple[float, int, int]] = [(start, 0, 0)]
    marks = store.monitor.progress_of([batch["id"]]).get(batch["id"])
    if marks is not None:
        points += [
            (marks.since_at, marks.since_finished, 0),
            (marks.mark_at, marks.mark_finished, 0),
        ]
    points += seen
    points.sort()
    end_of_run = batch["completed_at"] or batch["cancelled_at"] or batch["expired_at"]
    eta = batch["batchyard"]["eta"]
    right = float(max(eta or 0, end_of_run or 0, points[-1][0]))
    # A short run in a 24 h window would be a sliver: show `expires_at` to scale only
    # when it is near, else as a label at the right edge saying how far off it is.
    expires_near = batch["expires_at"] - start <= _NEAR * max(1.0, right - start)
    if expires_near:
        right = max(right, float(batch["expires_at"]))
    right += 0.05 * max(1.0, right - start)
    span = max(1.0, right - start)

    def x(t: float) -> float:
        return PAD + (WIDTH - 2 * PAD) * (t - start) / span

    def y(n: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * min(n, total) / total

    done = " ".join(f"{x(t):.1f},{y(n):.1f}" for t, n, _ in points)
    failed = " ".join(f"{x(t):.1f},{y(f):.1f}" for t, _, f in points)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="finished lines over time">',
        f'<line class="axis" x1="{PAD}" y1="{HEIGHT - PAD}" '
        f'x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}"/>',
        f'<line class="axis" x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}"/>',
        f'<text x="2" y="{PAD + 4}">{total:,}</text><text x="2" y="{HEIGHT - PAD}">0</text>',
        f'<polyline class="done" points="{done}"/>',
        f'<polyline class="failed" points="{failed}"/>',
    ]
    if eta:
        last_t, last_n, _ = points[-1]
        parts.append(
            f'<line class="eta" x1="{x(last_t):.1f}" y1="{y(last_n):.1f}" '
            f'x2="{x(eta):.1f}" y2="{y(total):.1f}"><title>ETA</title></line>'
        )
    if expires_near:
        ex = x(batch["expires_at"])
        parts.append(
            f'<line class="expires" x1="{ex:.1f}" y1="{PAD}" x2="{ex:.1f}" y2="{HEIGHT - PAD}"/>'
            f'<text class="expires" x="{ex - 60:.1f}" y="{PAD - 8}">expires_at</text>'
        )
    else:
        away = _hours(batch["expires_at"] - right)
        parts.append(
            f'<text class="expires" x="{WIDTH - PAD - 150}" y="{PAD - 8}">'
            f"expires_at in {away} &#8594;</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
