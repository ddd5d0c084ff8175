"""The metadata store: every read and write of files, batches and shards.

Domain verbs only; callers never see SQL. The same code runs on SQLite and
PostgreSQL (SQLAlchemy Core); claims use `FOR UPDATE SKIP LOCKED` where the
database has it and a guarded `UPDATE` inside an immediate transaction where it
does not. Methods are synchronous: the engine calls them through a thread.
API keys, quota counts and retention sweeps live in sibling modules, reached as
`store.keys`, `store.quotas` and `store.retention`.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, and_, exists, func, insert, not_, or_, select, update
from sqlalchemy.engine import RowMapping

from batchyard.errors import Conflict, no_such_batch
from batchyard.quotas import active_batches_exceeded, enqueued_lines_exceeded, storage_exceeded
from batchyard.records import (
    TERMINAL,
    BatchRecord,
    BatchStatus,
    FileRecord,
    ShardClaim,
    ShardProgress,
    ShardRecord,
    StopReason,
    Usage,
)
from batchyard.store import quotas as usage
from batchyard.store.database import connect
from batchyard.store.keys import KeyStore
from batchyard.store.monitor import MonitorStore
from batchyard.store.quotas import QuotaStore
from batchyard.store.retention import RetentionStore
from batchyard.store.schema import batches, files, metadata, shards
from batchyard.store.webhooks import WebhookStore, record_batch_event

_CANCELLABLE = (BatchStatus.VALIDATING, BatchStatus.IN_PROGRESS, BatchStatus.FINALIZING)
_RUNNING = (BatchStatus.IN_PROGRESS, BatchStatus.CANCELLING, BatchStatus.FINALIZING)


class ShardVerdict(enum.Enum):
    """What a worker should do after a checkpoint."""

    CONTINUE = "continue"  # the lease is extended; keep going
    STOP = "stop"  # the batch is being cancelled or expired; finish in-flight lines, stop
    LOST = "lost"  # another worker owns the shard now; stop writing at once


class Store:
    """Files, batches and shards in one SQL database.

    `webhooks` (endpoints and the delivery outbox) and `monitor` (progress and
    totals) are parts of it on the same engine.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._skip_locked = engine.dialect.name == "postgresql"
        self.keys = KeyStore(engine)
        self.webhooks = WebhookStore(engine)
        self.monitor = MonitorStore(engine)
        self.quotas = QuotaStore(engine)
        self.retention = RetentionStore(engine)

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect and create the tables that are missing."""
        store = cls(connect(url))
        metadata.create_all(store.engine)
        return store

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # -- files ---------------------------------------------------------------

    def add_file(self, record: FileRecord, *, max_stored_bytes: int | None = None) -> None:
        """Insert a file; with `max_stored_bytes`, only if the project's files still fit
        (429 otherwise), checked in the same transaction as the insert."""
        with self._tx() as conn:
            if max_stored_bytes is not None:
                usage.lock_project(conn, record.project)
                stored = usage.stored_bytes(conn, record.project)
                if stored + record.bytes > max_stored_bytes:
                    raise storage_exceeded(record.project, stored, record.bytes, max_stored_bytes)
            conn.execute(insert(files).values(**_file_values(record)))

    def get_file(self, project: str, file_id: str) -> FileRecord | None:
        with self._tx() as conn:
            row = (
                conn.execute(
                    select(files).where(
                        files.c.id == file_id,
                        files.c.project == project,
                        files.c.deleted_at.is_(None),
                    )
                )
                .mappings()
                .first()
            )
        return _file(row) if row else None

    def list_files(
        self,
        project: str,
        *,
        purpose: str | None = None,
        after: str | None = None,
        limit: int = 10_000,
        ascending: bool = False,
    ) -> tuple[list[FileRecord], bool]:
        """A page of live files and whether more follow. An unknown `after` gives an empty page."""
        query = select(files).where(files.c.project == project, files.c.deleted_at.is_(None))
        if purpose is not None:
            query = query.where(files.c.purpose == purpose)
        with self._tx() as conn:
            if after is not None:
                seq = conn.execute(
                    select(files.c.seq).where(files.c.id == after, files.c.project == project)
                ).scalar()
                if seq is None:
                    return [], False
                query = query.where(files.c.seq > seq if ascending else files.c.seq < seq)
            order = files.c.seq.asc() if ascending else files.c.seq.desc()
            rows = conn.execute(query.order_by(order).limit(limit + 1)).mappings().all()
        return [_file(r) for r in rows[:limit]], len(rows) > limit

    def delete_file(self, project: str, file_id: str, now: int) -> FileRecord | None:
        """Mark a file deleted; return it (for its blob key), or None if there is none.

        The tombstone keeps no filename: a name can itself be personal data.
        """
        with self._tx() as conn:
            row = (
                conn.execute(
                    update(files)
                    .where(
                        files.c.id == file_id,
                        files.c.project == project,
                        files.c.deleted_at.is_(None),
                    )
                    .values(deleted_at=now, filename="")
                    .returning(*files.c)
                )
                .mappings()
                .first()
            )
        return _file(row) if row else None

    def file_in_use(self, project: str, file_id: str) -> bool:
        """Whether a batch that has not finished reads this file."""
        with self._tx() as conn:
            return bool(
                conn.execute(
                    select(
                        exists().where(
                            batches.c.project == project,
                            batches.c.input_file_id == file_id,
                            batches.c.status.not_in([s.value for s in TERMINAL]),
                        )
                    )
                ).scalar()
            )

    # -- batches -------------------------------------------------------------

    def add_batch(
        self,
        record: BatchRecord,
        *,
        max_active_batches: int | None = None,
        max_enqueued_lines: int | None = None,
    ) -> None:
        """Insert a batch, unless the project is at a quota (429), checked with the insert.

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
                raise active_batches_exceeded(record.project, max_active_batches)
            if max_enqueued_lines is not None:
                enqueued = usage.enqueued_lines(conn, record.project)
                if enqueued >= max_enqueued_lines:
                    raise enqueued_lines_exceeded(record.project, max_enqueued_lines, enqueued)
            conn.execute(insert(batches).values(**_batch_values(record)))

    def get_batch(self, project: str, batch_id: str) -> BatchRecord | None:
        with self._tx() as conn:
            row = (
                conn.execute(
                    select(batches).where(batches.c.id == batch_id, batches.c.project == project)
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            return self._with_live_counts(conn, [_batch(row)])[0]

    def list_batches(
        self, project: str, *, after: str | None = None, limit: int = 20
    ) -> tuple[list[BatchRecord], bool]:
        """Newest first. An unknown `after` gives an empty page."""
        query = select(batches).where(batches.c.project == project)
        with self._tx() as conn:
            if after is not None:
                seq = conn.execute(
                    select(batches.c.seq).where(batches.c.id == after, batches.c.project == project)
                ).scalar()
                if seq is None:
                    return [], False
                query = query.where(batches.c.seq < seq)
            rows = conn.execute(query.order_by(batches.c.seq.desc()).limit(limit + 1)).mappings()
            records = [_batch(r) for r in rows.all()]
            has_more = len(records) > limit
            return self._with_live_counts(conn, records[:limit]), has_more

    def _with_live_counts(self, conn: Connection, records: list[BatchRecord]) -> list[BatchRecord]:
        """Fill request counts and usage of running batches from their shards' checkpoints."""
        live = [r for r in records if r.status in _RUNNING and r.in_progress_at is not None]
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

        Raises NotFound for an unknown batch and Conflict for one that ended otherwise.
        """
        with self._tx() as conn:
            row = (
                conn.execute(
                    select(batches).where(batches.c.id == batch_id, batches.c.project == project)
                )
                .mappings()
                .first()
            )
            if row is None:
                raise no_such_batch(batch_id)
            record = _batch(row)
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
            elif record.status not in (BatchStatus.CANCELLING, BatchStatus.CANCELLED):
                raise Conflict(f"Cannot cancel a batch with status '{record.status.value}'.")
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
            failed = conn.execute(
                update(batches)
                .where(
                    batches.c.id == batch_id,
                    batches.c.lease_owner == owner,
                    batches.c.status == BatchStatus.VALIDATING.value,
                )
                .values(
                    status=BatchStatus.FAILED.value,
                    failed_at=now,
                    errors=errors,
                    lease_owner=None,
                    lease_expires_at=None,
                )
            ).rowcount
            if failed:
                record_batch_event(conn, batch_id, BatchStatus.FAILED, now)
            else:
                self._cancel_unstarted(conn, batch_id, owner, now)

    def start_batch(
        self, batch_id: str, owner: str, model: str, shard_list: Sequence[ShardRecord], now: int
    ) -> None:
        """Record the shards of a validated batch and set it `in_progress`."""
        with self._tx() as conn:
            started = conn.execute(
                update(batches)
                .where(
                    batches.c.id == batch_id,
                    batches.c.lease_owner == owner,
                    batches.c.status == BatchStatus.VALIDATING.value,
                )
                .values(
                    status=BatchStatus.IN_PROGRESS.value,
                    in_progress_at=now,
                    model=model,
                    total=sum(s.requests for s in shard_list),
                    lease_owner=None,
                    lease_expires_at=None,
                )
            ).rowcount
            if started:
                conn.execute(shards.delete().where(shards.c.batch_id == batch_id))
                conn.execute(
                    insert(shards),
                    [
                        {
                            "batch_id": batch_id,
                            "idx": s.index,
                            "first_line": s.first_line,
                            "last_line": s.last_line,
                            "start": s.start,
                            "end": s.end,
                            "requests": s.requests,
                            "status": "pending",
                            "epoch": 0,
                        }
                        for s in shard_list
                    ],
                )
            else:
                self._cancel_unstarted(conn, batch_id, owner, now)

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

    # -- shards --------------------------------------------------------------

    def claim_shard(
        self, owner: str, now: float, lease_seconds: float, models: Collection[str] | None = None
    ) -> ShardClaim | None:
        """Take the next runnable shard: pending, or running under a lease that ran out.

        Shards of the batch that expires first go first.
        """
        runnable = or_(
            shards.c.status == "pending",
            and_(shards.c.status == "running", shards.c.lease_expires_at < now),
        )
        query = (
            select(
                shards,
                batches.c.project,
                batches.c.endpoint,
                batches.c.model,
                batches.c.expires_at,
                files.c.blob_key,
            )
            .join(batches, batches.c.id == shards.c.batch_id)
            .join(files, files.c.id == batches.c.input_file_id)
            .where(
                runnable,
                batches.c.status == BatchStatus.IN_PROGRESS.value,
                batches.c.stop_reason.is_(None),
            )
            .order_by(batches.c.expires_at, batches.c.seq, shards.c.idx)
            .limit(1)
        )
        if models is not None:
            query = query.where(batches.c.model.in_(list(models)))
        if self._skip_locked:
            query = query.with_for_update(of=shards, skip_locked=True)
        with self._tx() as conn:
            row = conn.execute(query).mappings().first()
            if row is None:
                return None
            epoch = row["epoch"] + 1
            conn.execute(
                update(shards)
                .where(shards.c.batch_id == row["batch_id"], shards.c.idx == row["idx"])
                .values(
                    status="running",
                    owner=owner,
                    epoch=epoch,
                    lease_expires_at=now + lease_seconds,
                )
            )
        shard = _shard(row)
        shard.status, shard.owner, shard.epoch = "running", owner, epoch
        return ShardClaim(
            shard=shard,
            project=row["project"],
            endpoint=row["endpoint"],
            model=row["model"],
            input_blob_key=row["blob_key"],
            expires_at=row["expires_at"],
        )

    def checkpoint_shard(
        self,
        shard: ShardRecord,
        progress: ShardProgress,
        now: float,
        lease_seconds: float,
        *,
        done: bool = False,
    ) -> ShardVerdict:
        """Record durable progress and extend the lease, if this worker still owns the shard."""
        with self._tx() as conn:
            owned = conn.execute(
                update(shards)
                .where(
                    shards.c.batch_id == shard.batch_id,
                    shards.c.idx == shard.index,
                    shards.c.owner == shard.owner,
                    shards.c.epoch == shard.epoch,
                    shards.c.status == "running",
                )
                .values(
                    status="done" if done else "running",
                    lease_expires_at=now + lease_seconds,
                    **_progress_values(progress),
                )
            ).rowcount
            if not owned:
                return ShardVerdict.LOST
            stop_reason = conn.execute(
                select(batches.c.stop_reason).where(batches.c.id == shard.batch_id)
            ).scalar()
        return ShardVerdict.STOP if stop_reason else ShardVerdict.CONTINUE

    def release_shard(self, shard: ShardRecord, progress: ShardProgress) -> None:
        """Hand an unfinished shard back at shutdown, so any worker can take it at once."""
        with self._tx() as conn:
            conn.execute(
                update(shards)
                .where(
                    shards.c.batch_id == shard.batch_id,
                    shards.c.idx == shard.index,
                    shards.c.owner == shard.owner,
                    shards.c.epoch == shard.epoch,
                    shards.c.status == "running",
                )
                .values(
                    status="pending",
                    owner=None,
                    lease_expires_at=None,
                    **_progress_values(progress),
                )
            )

    def shards_of(self, batch_id: str) -> list[ShardRecord]:
        with self._tx() as conn:
            rows = conn.execute(
                select(shards).where(shards.c.batch_id == batch_id).order_by(shards.c.idx)
            ).mappings()
            return [_shard(r) for r in rows.all()]

    def lease_holders(self) -> set[str]:
        """Every worker id that holds a shard or batch lease now."""
        with self._tx() as conn:
            shard_owners = conn.execute(
                select(shards.c.owner).where(shards.c.status == "running").distinct()
            ).scalars()
            batch_owners = conn.execute(
                select(batches.c.lease_owner).where(batches.c.lease_owner.is_not(None)).distinct()
            ).scalars()
            return {owner for owner in [*shard_owners, *batch_owners] if owner}

    def expire_leases(self, owners: Collection[str]) -> None:
        """End the leases of workers known to be dead, so their work moves on at once."""
        if not owners:
            return
        with self._tx() as conn:
            conn.execute(
                update(shards)
                .where(shards.c.owner.in_(list(owners)), shards.c.status == "running")
                .values(lease_expires_at=0)
            )
            conn.execute(
                update(batches)
                .where(batches.c.lease_owner.in_(list(owners)))
                .values(lease_expires_at=0)
            )

    # -- finalizing ----------------------------------------------------------

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
                    batches.c.status.in_([s.value for s in _RUNNING]),
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
                    conn.execute(insert(files).values(**_file_values(record)))
            values: dict[str, Any] = {
                "status": status.value,
                stamp: now,
                "output_file_id": output_file.id if output_file else None,
                "error_file_id": error_file.id if error_file else None,
                "completed": completed,
                "failed": failed,
                "lease_owner": None,
                "lease_expires_at": None,
                **_usage_values(usage),
            }
            conn.execute(update(batches).where(batches.c.id == batch_id).values(**values))
            record_batch_event(conn, batch_id, status, now)
        return status

    def _claim_batch(
        self, condition: Any, owner: str, now: float, lease_seconds: float
    ) -> BatchRecord | None:
        free = or_(batches.c.lease_owner.is_(None), batches.c.lease_expires_at < now)
        query = (
            select(batches).where(condition, free).order_by(batches.c.expires_at, batches.c.seq)
        ).limit(1)
        if self._skip_locked:
            query = query.with_for_update(skip_locked=True)
        with self._tx() as conn:
            row = conn.execute(query).mappings().first()
            if row is None:
                return None
            conn.execute(
                update(batches)
                .where(batches.c.id == row["id"])
                .values(lease_owner=owner, lease_expires_at=now + lease_seconds)
            )
        return _batch(row)


def _file_values(record: FileRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "project": record.project,
        "purpose": record.purpose,
        "filename": record.filename,
        "bytes": record.bytes,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "status": record.status,
        "blob_key": record.blob_key,
    }


def _file(row: RowMapping) -> FileRecord:
    return FileRecord(
        id=row["id"],
        project=row["project"],
        purpose=row["purpose"],
        filename=row["filename"],
        bytes=row["bytes"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        blob_key=row["blob_key"],
        status=row["status"],
    )


def _usage_values(usage: Usage) -> dict[str, int]:
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cached_tokens": usage.cached_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
    }


def _progress_values(progress: ShardProgress) -> dict[str, int]:
    return {
        "completed": progress.completed,
        "failed": progress.failed,
        **_usage_values(progress.usage),
    }


_BATCH_FIELDS = (
    "id", "project", "endpoint", "input_file_id", "completion_window", "created_at",
    "expires_at", "metadata", "output_expires_after", "model", "errors", "output_file_id",
    "error_file_id", "in_progress_at", "finalizing_at", "completed_at", "failed_at",
    "expired_at", "cancelling_at", "cancelled_at", "total", "completed", "failed",
)  # fmt: skip


def _batch_values(record: BatchRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in _BATCH_FIELDS}
    values["status"] = record.status.value
    values["stop_reason"] = record.stop_reason.value if record.stop_reason else None
    values.update(_usage_values(record.usage))
    return values


def _batch(row: RowMapping) -> BatchRecord:
    record = BatchRecord(
        **{name: row[name] for name in _BATCH_FIELDS},
        status=BatchStatus(row["status"]),
        stop_reason=StopReason(row["stop_reason"]) if row["stop_reason"] else None,
    )
    record.usage = Usage(
        row["input_tokens"], row["output_tokens"], row["cached_tokens"], row["reasoning_tokens"]
    )
    return record


def _shard(row: RowMapping) -> ShardRecord:
    return ShardRecord(
        batch_id=row["batch_id"],
        index=row["idx"],
        first_line=row["first_line"],
        last_line=row["last_line"],
        start=row["start"],
        end=row["end"],
        requests=row["requests"],
        status=row["status"],
        epoch=row["epoch"],
        owner=row["owner"],
    )
