"""Finalizing: one worker at a time takes a finished batch and publishes its result files."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, insert, not_, or_, select, update

from batchyard.records import BatchRecord, BatchStatus, FileRecord, StopReason, Usage
from batchyard.store.base import StoreBase
from batchyard.store.batches import RUNNING
from batchyard.store.rows import file_values, usage_values
from batchyard.store.schema import batches, files, shards
from batchyard.store.webhooks import record_batch_event


class FinalizingStore(StoreBase):
    """Claiming a finished batch, holding it, and ending it; `Store` mixes them in."""

    def claim_finalization(
        self, owner: str, now: float, lease_seconds: float
    ) -> BatchRecord | None:
        """Take a batch whose lines have all ended, or that stops early with no live shard.

        A batch that ran to the end goes `finalizing` here; one that is cancelled or
        expired keeps its status until `finish_batch`.
        """
        all_done = not_(
            exists().where(shards.c.batch_id == batches.c.id, shards.c.status != "done")
        )
        none_live = not_(
            exists().where(
                shards.c.batch_id == batches.c.id,
                shards.c.status == "running",
                shards.c.lease_expires_at >= now,
            )
        )
        ready = or_(
            batches.c.status == BatchStatus.FINALIZING.value,
            and_(batches.c.status == BatchStatus.IN_PROGRESS.value, all_done),
            and_(
                batches.c.status.in_([BatchStatus.IN_PROGRESS.value, BatchStatus.CANCELLING.value]),
                batches.c.stop_reason.is_not(None),
                batches.c.in_progress_at.is_not(None),
                none_live,
            ),
        )
        record = self._claim_batch(ready, owner, now, lease_seconds)
        if record is None:
            return None
        if record.status == BatchStatus.IN_PROGRESS and record.stop_reason is None:
            with self._tx() as conn:
                conn.execute(
                    update(batches)
                    .where(batches.c.id == record.id, batches.c.lease_owner == owner)
                    .values(status=BatchStatus.FINALIZING.value, finalizing_at=int(now))
                )
            record.status, record.finalizing_at = BatchStatus.FINALIZING, int(now)
        return record

    def extend_batch_lease(
        self, batch_id: str, owner: str, now: float, lease_seconds: float
    ) -> bool:
        with self._tx() as conn:
            return bool(
                conn.execute(
                    update(batches)
                    .where(batches.c.id == batch_id, batches.c.lease_owner == owner)
                    .values(lease_expires_at=now + lease_seconds)
                ).rowcount
            )

    def finish_batch(
        self,
        batch_id: str,
        owner: str,
        *,
        output_file: FileRecord | None,
        error_file: FileRecord | None,
        completed: int,
        failed: int,
        usage: Usage,
        now: int,
    ) -> BatchStatus | None:
        """Publish the result files and end the batch, in one transaction.

        The terminal status follows the batch's stop reason at this moment:
        cancelled (a cancel or the cost cap), expired, failed (the error-rate
        breaker) or completed. The batch's event is queued in the same transaction.
        Returns the status, or None if the lease was lost.
        """
        with self._tx() as conn:
            row = conn.execute(
                select(batches.c.stop_reason).where(
                    batches.c.id == batch_id,
                    batches.c.lease_owner == owner,
                    batches.c.status.in_([s.value for s in RUNNING]),
                )
            ).first()
            if row is None:
                return None
            status, stamp = {
                None: (BatchStatus.COMPLETED, "completed_at"),
                StopReason.CANCEL.value: (BatchStatus.CANCELLED, "cancelled_at"),
                StopReason.EXPIRE.value: (BatchStatus.EXPIRED, "expired_at"),
                StopReason.COST_CAP.value: (BatchStatus.CANCELLED, "cancelled_at"),
                StopReason.ERROR_RATE.value: (BatchStatus.FAILED, "failed_at"),
            }[row[0]]
            for record in (output_file, error_file):
                if record is not None:
                    conn.execute(files.delete().where(files.c.id == record.id))
                    conn.execute(insert(files).values(**file_values(record)))
            values: dict[str, Any] = {
                "status": status.value,
                stamp: now,
                "output_file_id": output_file.id if output_file else None,
                "error_file_id": error_file.id if error_file else None,
                "completed": completed,
                "failed": failed,
                "lease_owner": None,
                "lease_expires_at": None,
                **usage_values(usage),
            }
            conn.execute(update(batches).where(batches.c.id == batch_id).values(**values))
            record_batch_event(conn, batch_id, status, now)
        return status
