"""Batches: creation, listing with live counts, cancel, expiry, and validation's verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.engine import RowMapping

from batchyard.records import BatchRecord, BatchStatus, ShardRecord, StopReason, Usage
from batchyard.store import usage
from batchyard.store.base import StoreBase
from batchyard.store.errors import (
    ActiveBatchesQuotaReached,
    BatchNotCancellable,
    BatchNotFound,
    EnqueuedLinesQuotaReached,
)
from batchyard.store.notifications import Event
from batchyard.store.pages import fetch_page
from batchyard.store.rows import batch_record, batch_values, shard_values
from batchyard.store.schema import batches, shards
from batchyard.store.webhooks import record_batch_event

_CANCELLABLE = (BatchStatus.VALIDATING, BatchStatus.IN_PROGRESS, BatchStatus.FINALIZING)
RUNNING = (BatchStatus.IN_PROGRESS, BatchStatus.CANCELLING, BatchStatus.FINALIZING)


class BatchStore(StoreBase):
    """The verbs on batches; `Store` mixes them in."""

    def add_batch(
        self,
        record: BatchRecord,
        *,
        max_active_batches: int | None = None,
        max_enqueued_lines: int | None = None,
    ) -> None:
        """Insert a batch unless the project is at a quota (`QuotaReached`), checked in one step.

        Enqueued lines are only known once a batch is validated, so here a project is
        refused only when it is already at its limit; intake checks the new batch's lines.
        """
        with self._tx() as conn:
            if max_active_batches is not None or max_enqueued_lines is not None:
                usage.lock_project(conn, record.project)
            if (
                max_active_batches is not None
                and usage.active_batches(conn, record.project) >= max_active_batches
            ):
                raise ActiveBatchesQuotaReached(record.project, max_active_batches)
            if max_enqueued_lines is not None:
                enqueued = usage.enqueued_lines(conn, record.project)
                if enqueued >= max_enqueued_lines:
                    raise EnqueuedLinesQuotaReached(record.project, max_enqueued_lines, enqueued)
            conn.execute(insert(batches).values(**batch_values(record)))
            self._signal(conn, Event.BATCH)

    def get_batch(self, project: str, batch_id: str) -> BatchRecord | None:
        with self._tx() as conn:
            row = _batch_row(conn, project, batch_id)
            if row is None:
                return None
            return self._with_live_counts(conn, [batch_record(row)])[0]

    def list_batches(
        self, project: str, *, after: str | None = None, limit: int = 20
    ) -> tuple[list[BatchRecord], bool]:
        """Newest first. An unknown `after` gives an empty page."""
        query = select(batches).where(batches.c.project == project)
        with self._tx() as conn:
            rows, has_more = fetch_page(conn, query, batches, project, after=after, limit=limit)
            return self._with_live_counts(conn, [batch_record(r) for r in rows]), has_more

    def _with_live_counts(self, conn: Connection, records: list[BatchRecord]) -> list[BatchRecord]:
        """Fill request counts and usage of running batches from their shards' checkpoints."""
        live = [r for r in records if r.status in RUNNING and r.in_progress_at is not None]
        if not live:
            return records
        sums = conn.execute(
            select(
                shards.c.batch_id,
                func.sum(shards.c.completed),
                func.sum(shards.c.failed),
                func.sum(shards.c.input_tokens),
                func.sum(shards.c.output_tokens),
                func.sum(shards.c.cached_tokens),
                func.sum(shards.c.reasoning_tokens),
            )
            .where(shards.c.batch_id.in_([r.id for r in live]))
            .group_by(shards.c.batch_id)
        ).all()
        by_id = {row[0]: row[1:] for row in sums}
        for record in live:
            counts = by_id.get(record.id)
            if counts is None:
                continue
            record.completed, record.failed = int(counts[0] or 0), int(counts[1] or 0)
            record.usage = Usage(*(int(v or 0) for v in counts[2:]))
        return records

    def request_cancel(self, project: str, batch_id: str, now: int) -> BatchRecord:
        """Move a batch to `cancelling`; idempotent for one already cancelling or cancelled.

        Raises `BatchNotFound` for an unknown batch, `BatchNotCancellable` for one that ended
        otherwise.
        """
        with self._tx() as conn:
            row = _batch_row(conn, project, batch_id)
            if row is None:
                raise BatchNotFound(batch_id)
            record = batch_record(row)
            if record.status in _CANCELLABLE:
                values: dict[str, Any] = {
                    "status": BatchStatus.CANCELLING.value,
                    "cancelling_at": now,
                }
                if record.stop_reason is None:
                    values["stop_reason"] = StopReason.CANCEL.value
                conn.execute(update(batches).where(batches.c.id == batch_id).values(**values))
                record.status = BatchStatus.CANCELLING
                record.cancelling_at = now
                record.stop_reason = record.stop_reason or StopReason.CANCEL
                self._signal(conn, Event.BATCH)
            elif record.status not in (BatchStatus.CANCELLING, BatchStatus.CANCELLED):
                raise BatchNotCancellable(record.status.value)
            return self._with_live_counts(conn, [record])[0]

    def expire_due(self, now: int) -> list[str]:
        """Mark every unfinished batch past its `expires_at` to stop as expired."""
        with self._tx() as conn:
            rows = conn.execute(
                update(batches)
                .where(
                    batches.c.status.in_(
                        [BatchStatus.VALIDATING.value, BatchStatus.IN_PROGRESS.value]
                    ),
                    batches.c.stop_reason.is_(None),
                    batches.c.expires_at <= now,
                )
                .values(stop_reason=StopReason.EXPIRE.value)
                .returning(batches.c.id)
            ).all()
            if rows:
                self._signal(conn, Event.FINALIZE)
        return [r[0] for r in rows]

    # -- validation ----------------------------------------------------------

    def claim_validation(self, owner: str, now: float, lease_seconds: float) -> BatchRecord | None:
        """Take one batch that waits for validation (or was cancelled before it started)."""
        waiting = or_(
            batches.c.status == BatchStatus.VALIDATING.value,
            and_(
                batches.c.status == BatchStatus.CANCELLING.value,
                batches.c.in_progress_at.is_(None),
            ),
        )
        return self._claim_batch(waiting, owner, now, lease_seconds)

    def fail_validation(
        self, batch_id: str, owner: str, errors: list[dict[str, Any]], now: int
    ) -> None:
        with self._tx() as conn:
            failed = _end_validation(
                conn, batch_id, owner, status=BatchStatus.FAILED.value, failed_at=now, errors=errors
            )
            if failed:
                record_batch_event(conn, batch_id, BatchStatus.FAILED, now)
            else:
                self._cancel_unstarted(conn, batch_id, owner, now)

    def start_batch(
        self,
        batch_id: str,
        owner: str,
        model: str,
        shard_list: Sequence[ShardRecord],
        now: int,
        *,
        max_enqueued_lines: int | None = None,
    ) -> None:
        """Record the shards of a validated batch and set it `in_progress`.

        With `max_enqueued_lines`, the project's lines are counted and the batch
        started in one transaction, under the project's quota lock, so two batches
        validated at once cannot both take the last room (`EnqueuedLinesQuotaReached`).
        """
        total = sum(s.requests for s in shard_list)
        with self._tx() as conn:
            if max_enqueued_lines is not None:
                self._room_for(conn, batch_id, total, max_enqueued_lines)
            started = _end_validation(
                conn,
                batch_id,
                owner,
                status=BatchStatus.IN_PROGRESS.value,
                in_progress_at=now,
                model=model,
                total=total,
            )
            if started:
                self._signal(conn, Event.SHARDS)
                conn.execute(shards.delete().where(shards.c.batch_id == batch_id))
                conn.execute(
                    insert(shards),
                    [shard_values(replace(s, batch_id=batch_id)) for s in shard_list],
                )
            else:
                self._cancel_unstarted(conn, batch_id, owner, now)

    @staticmethod
    def _room_for(conn: Connection, batch_id: str, lines: int, limit: int) -> None:
        project = conn.execute(select(batches.c.project).where(batches.c.id == batch_id)).scalar()
        if project is None:
            return
        usage.lock_project(conn, project)
        enqueued = usage.enqueued_lines(conn, project)
        if enqueued + lines > limit:
            raise EnqueuedLinesQuotaReached(project, limit, enqueued, lines)

    def cancel_unstarted(self, batch_id: str, owner: str, now: int) -> None:
        """End a batch cancelled before any line ran: `cancelled`, counts 0, no files."""
        with self._tx() as conn:
            self._cancel_unstarted(conn, batch_id, owner, now)

    @staticmethod
    def _cancel_unstarted(conn: Connection, batch_id: str, owner: str, now: int) -> None:
        cancelled = conn.execute(
            update(batches)
            .where(
                batches.c.id == batch_id,
                batches.c.lease_owner == owner,
                batches.c.status == BatchStatus.CANCELLING.value,
                batches.c.in_progress_at.is_(None),
            )
            .values(
                status=BatchStatus.CANCELLED.value,
                cancelled_at=now,
                lease_owner=None,
                lease_expires_at=None,
            )
        ).rowcount
        if cancelled:
            record_batch_event(conn, batch_id, BatchStatus.CANCELLED, now)


def _end_validation(conn: Connection, batch_id: str, owner: str, **values: Any) -> int:
    """Move a batch this owner is validating on (`values`), releasing its lease; 1 or 0."""
    ended: int = conn.execute(
        update(batches)
        .where(
            batches.c.id == batch_id,
            batches.c.lease_owner == owner,
            batches.c.status == BatchStatus.VALIDATING.value,
        )
        .values(**values, lease_owner=None, lease_expires_at=None)
    ).rowcount
    return ended


def _batch_row(conn: Connection, project: str, batch_id: str) -> RowMapping | None:
    """The project's batch row, or None: another project's batch is simply not there."""
    query = select(batches).where(batches.c.id == batch_id, batches.c.project == project)
    return conn.execute(query).mappings().first()
