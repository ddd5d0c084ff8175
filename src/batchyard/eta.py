"""When a running batch should end, from the rate its lines have been finishing at.

The rate is measured between the older of two progress marks (that the engine's
monitor moves forward every `eta_window_seconds`) and now, so it follows changes
of pace within one or two windows. Before the first mark, the average since
`in_progress_at` stands in. With no rate yet (nothing finished) there is no
estimate, and the batch is not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from batchyard.records import ProgressMarks

MIN_SPAN_SECONDS = 1.0  # a rate over less time than this is noise


@dataclass(frozen=True, slots=True)
class Estimate:
    eta: int | None  # Unix seconds when the last line should finish
    at_risk: bool  # the estimate passes `expires_at`
    lines_per_second: float | None


def estimate(
    *,
    total: int,
    finished: int,
    in_progress_at: int | None,
    expires_at: int,
    marks: ProgressMarks | None,
    now: float,
) -> Estimate:
    rate = None
    if marks is not None and now - marks.since_at >= MIN_SPAN_SECONDS:
        rate = max(0, finished - marks.since_finished) / (now - marks.since_at)
    elif in_progress_at is not None and now - in_progress_at >= MIN_SPAN_SECONDS:
        rate = finished / (now - in_progress_at)
    remaining = max(0, total - finished)
    if remaining == 0:
        return Estimate(eta=int(now), at_risk=False, lines_per_second=rate)
    if not rate:
        return Estimate(eta=None, at_risk=False, lines_per_second=rate)
    eta = now + remaining / rate
    return Estimate(eta=round(eta), at_risk=eta > expires_at, lines_per_second=round(rate, 3))
