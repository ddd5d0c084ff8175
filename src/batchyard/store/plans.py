"""The monitor's plan for running batches: forecast ends and at-risk reasons.

The monitor (engine/feasibility.py) works the plan out; this keeps it on the
batch's progress row, where the claim reads it to put batches that can still
finish ahead of those that cannot, and the API reads it for `at_risk`.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine, func, select, update

from batchyard.records import BatchStatus
from batchyard.store.schema import batch_progress, batches

# A forecast that moved by less than this share of the time left is not rewritten.
ETA_SLACK = 0.02
MIN_ETA_MOVE_SECONDS = 2.0


class PlanStore:
    """Writes the plan (only what changed) and counts the batches at risk."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, plans: Mapping[str, tuple[float | None, str | None, bool]], now: float) -> int:
        """Set each batch's (forecast end, at-risk reason, urgent); returns how many rows
        changed.

        A batch must already have progress marks (the monitor writes them first).
        """
        if not plans:
            return 0
        changed = 0
        with self.engine.begin() as conn:
            known = {
                row[0]: (row[1], row[2], bool(row[3]))
                for row in conn.execute(
                    select(
                        batch_progress.c.batch_id,
                        batch_progress.c.plan_eta,
                        batch_progress.c.at_risk_reason,
                        batch_progress.c.plan_urgent,
                    ).where(batch_progress.c.batch_id.in_(list(plans)))
                )
            }
            for batch_id, (eta, reason, urgent) in plans.items():
                if batch_id not in known or not _moved(known[batch_id], eta, reason, urgent, now):
                    continue
                conn.execute(
                    update(batch_progress)
                    .where(batch_progress.c.batch_id == batch_id)
                    .values(plan_eta=eta, at_risk_reason=reason, plan_urgent=urgent)
                )
                changed += 1
        return changed

    def at_risk(self) -> dict[str, int]:
        """Running batches whose plan ends after their window, per model."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(batches.c.model, func.count())
                .join(batch_progress, batch_progress.c.batch_id == batches.c.id)
                .where(
                    batches.c.status == BatchStatus.IN_PROGRESS.value,
                    batches.c.stop_reason.is_(None),
                    batch_progress.c.at_risk_reason.is_not(None),
                )
                .group_by(batches.c.model)
            ).all()
        return {model: int(n) for model, n in rows if model is not None}


def _moved(
    old: tuple[float | None, str | None, bool],
    eta: float | None,
    reason: str | None,
    urgent: bool,
    now: float,
) -> bool:
    old_eta, old_reason, old_urgent = old
    if (old_reason is None) != (reason is None) or (old_eta is None) != (eta is None):
        return True
    if old_urgent != urgent:
        return True
    if old_eta is None or eta is None:
        return False
    return abs(eta - old_eta) > max(MIN_ETA_MOVE_SECONDS, ETA_SLACK * max(0.0, eta - now))
