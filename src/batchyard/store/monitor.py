"""What the monitor and the metrics read: running batches, progress marks, totals.

Everything here is read from the database at the moment it is asked for, so
every process (API or worker) reports the same truth. `stop_batch` is how the
monitor ends a batch early (cost cap, error-rate breaker).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from batchyard.records import BatchStatus, ProgressMarks, RunningBatch, StopReason, Usage
from batchyard.store import notifications
from batchyard.store.schema import batch_progress, batches, shards

_COUNTED = ("completed", "failed", "input_tokens", "output_tokens", "cached_tokens",
            "reasoning_tokens")  # fmt: skip


class MonitorStore:
    """Reads for progress, cost and metrics; the one write is an early stop."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def running_batches(self) -> list[RunningBatch]:
        """Batches `in_progress` with no stop decided yet, with counts from their shards."""
        sums = (
            select(shards.c.batch_id, *(func.sum(shards.c[name]).label(name) for name in _COUNTED))
            .group_by(shards.c.batch_id)
            .subquery()
        )
        query = (
            select(
                batches.c.id,
                batches.c.project,
                batches.c.model,
                batches.c.metadata,
                batches.c.total,
                batches.c.expires_at,
                batches.c.seq,
                *(func.coalesce(sums.c[name], 0) for name in _COUNTED),
            )
            .join(sums, sums.c.batch_id == batches.c.id, isouter=True)
            .where(
                batches.c.status == BatchStatus.IN_PROGRESS.value,
                batches.c.stop_reason.is_(None),
            )
        )
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
        return [
            RunningBatch(
                id=row[0],
                project=row[1],
                model=row[2],
                metadata=row[3],
                total=row[4],
                expires_at=row[5],
                seq=row[6],
                completed=int(row[7]),
                failed=int(row[8]),
                usage=Usage(*(int(v) for v in row[9:13])),
            )
            for row in rows
        ]

    def finished_of(self, batch_ids: Iterable[str]) -> dict[str, int]:
        """Lines finished (completed or failed) of each batch, whatever its status: what
        the monitor's throughput meter reads for batches that stopped running."""
        ids = list(batch_ids)
        if not ids:
            return {}
        query = (
            select(shards.c.batch_id, func.sum(shards.c.completed + shards.c.failed))
            .where(shards.c.batch_id.in_(ids))
            .group_by(shards.c.batch_id)
        )
        with self.engine.begin() as conn:
            return {row[0]: int(row[1] or 0) for row in conn.execute(query)}

    def stop_batch(
        self, batch_id: str, reason: StopReason, error: dict[str, Any], now: int
    ) -> bool:
        """Stop a running batch early, saying why in its `errors`.

        In-flight lines finish; unrun lines go to the error file. A cost cap ends
        the batch `cancelled` (it shows `cancelling` meanwhile, as a client's cancel
        would); the breaker ends it `failed`. False if the batch was no longer
        running or already stopping for another reason.
        """
        values: dict[str, Any] = {"stop_reason": reason.value, "errors": [error]}
        if reason is StopReason.COST_CAP:
            values.update(status=BatchStatus.CANCELLING.value, cancelling_at=now)
        with self.engine.begin() as conn:
            stopped = bool(
                conn.execute(
                    update(batches)
                    .where(
                        batches.c.id == batch_id,
                        batches.c.status == BatchStatus.IN_PROGRESS.value,
                        batches.c.stop_reason.is_(None),
                    )
                    .values(**values)
                ).rowcount
            )
            if stopped:  # workers elsewhere may now finalize it
                notifications.send(conn, notifications.Event.FINALIZE)
            return stopped

    # -- progress marks ----------------------------------------------------------

    def record_progress(
        self, samples: Iterable[tuple[str, int]], now: float, window_seconds: float
    ) -> None:
        """Note (batch, finished lines) at `now`. The older mark moves up once the newer
        one is `window_seconds` old, so rates cover between one and two windows."""
        samples = list(samples)
        if not samples:
            return
        with self.engine.begin() as conn:
            known = {
                row[0]: row[1]
                for row in conn.execute(
                    select(batch_progress.c.batch_id, batch_progress.c.mark_at).where(
                        batch_progress.c.batch_id.in_([batch_id for batch_id, _ in samples])
                    )
                )
            }
            fresh = [
                {
                    "batch_id": batch_id,
                    "since_at": now,
                    "since_finished": finished,
                    "mark_at": now,
                    "mark_finished": finished,
                }
                for batch_id, finished in samples
                if batch_id not in known
            ]
            if fresh:
                conn.execute(insert(batch_progress), fresh)
            for batch_id, finished in samples:
                mark_at = known.get(batch_id)
                if mark_at is not None and now - mark_at >= window_seconds:
                    conn.execute(
                        update(batch_progress)
                        .where(
                            batch_progress.c.batch_id == batch_id,
                            batch_progress.c.mark_at == mark_at,
                        )
                        .values(
                            since_at=batch_progress.c.mark_at,
                            since_finished=batch_progress.c.mark_finished,
                            mark_at=now,
                            mark_finished=finished,
                        )
                    )

    def progress_of(self, batch_ids: Iterable[str]) -> dict[str, ProgressMarks]:
        wanted = list(batch_ids)
        if not wanted:
            return {}
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(batch_progress).where(batch_progress.c.batch_id.in_(wanted))
            ).mappings()
            return {
                row["batch_id"]: ProgressMarks(
                    row["since_at"],
                    row["since_finished"],
                    row["mark_at"],
                    row["mark_finished"],
                    row["plan_eta"],
                    row["at_risk_reason"],
                )
                for row in rows.all()
            }

    # -- totals for metrics ------------------------------------------------------

    def batches_by_status(self) -> dict[str, int]:
        """How many batches are in each status now (every project)."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(batches.c.status, func.count()).group_by(batches.c.status)
            ).all()
        return {status: int(count) for status, count in rows}

    def running_shards(self) -> dict[tuple[str, str], int]:
        """Shards running under a live lease, per (model, project): each share in use."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(batches.c.model, batches.c.project, func.count())
                .join(shards, shards.c.batch_id == batches.c.id)
                .where(
                    batches.c.status == BatchStatus.IN_PROGRESS.value,
                    shards.c.status == "running",
                    shards.c.lease_expires_at >= time.time(),
                )
                .group_by(batches.c.model, batches.c.project)
            ).all()
        return {(m, p): int(n) for m, p, n in rows if m is not None}

    def queued_lines(self) -> dict[str, int]:
        """Lines not yet finished in running batches, per model: the work queue's depth."""
        left = func.sum(shards.c.requests - shards.c.completed - shards.c.failed)
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(batches.c.model, left)
                .join(shards, shards.c.batch_id == batches.c.id)
                .where(
                    batches.c.status == BatchStatus.IN_PROGRESS.value,
                    batches.c.stop_reason.is_(None),
                )
                .group_by(batches.c.model)
            ).all()
        return {model: int(count or 0) for model, count in rows if model is not None}
