"""Shards: claims under leases, checkpoints, hand-backs, and ending dead workers' leases."""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping

from sqlalchemy import ColumnElement, and_, or_, select, update

from batchyard.records import BatchStatus, ShardClaim, ShardProgress, ShardRecord
from batchyard.store.base import StoreBase
from batchyard.store.notifications import Event
from batchyard.store.rows import progress_values, shard_record
from batchyard.store.scheduling import ClaimOrder, claim_order
from batchyard.store.schema import batches, files, shards


class ShardVerdict(enum.Enum):
    """What a worker should do after a checkpoint."""

    CONTINUE = "continue"  # the lease is extended; keep going
    STOP = "stop"  # the batch is being cancelled or expired; finish in-flight lines, stop
    LOST = "lost"  # another worker owns the shard now; stop writing at once


class ShardStore(StoreBase):
    """The verbs on shards; `Store` mixes them in."""

    def claim_shard(
        self,
        owner: str,
        now: float,
        lease_seconds: float,
        models: Collection[str] | None = None,
        weights: Mapping[str, int] | None = None,
        *,
        order: ClaimOrder = ClaimOrder.FAIR,
        aging_seconds: float | None = None,
        idle_projects_only: bool = False,
    ) -> ShardClaim | None:
        """Take the next runnable shard: pending, or running under a lease that ran out.

        The project most under its weighted share goes first (`weights`, default 1 each);
        within it, a batch that waited `aging_seconds` with nothing claimed, then batches
        not at risk, each by deadline, then submission; batches at risk only after every
        project's others (store/scheduling.py). `idle_projects_only`: only projects that
        run no shard now (a full engine's extra claim for newcomers).
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
            .order_by(shards.c.idx)
            .limit(1)
        )
        if models is not None:
            query = query.where(batches.c.model.in_(list(models)))
        if self._skip_locked:
            query = query.with_for_update(of=shards, skip_locked=True)
        with self._tx() as conn:
            row = None
            candidates = claim_order(
                conn,
                now,
                models,
                weights or {},
                order,
                aging_seconds,
                idle_projects_only=idle_projects_only,
            )
            given_up = False
            for batch_id, at_risk in candidates:
                row = conn.execute(query.where(shards.c.batch_id == batch_id)).mappings().first()
                if row is not None:
                    given_up = at_risk
                    break
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
        shard = shard_record(row)
        shard.status, shard.owner, shard.epoch = "running", owner, epoch
        return ShardClaim(
            shard=shard,
            project=row["project"],
            endpoint=row["endpoint"],
            model=row["model"],
            input_blob_key=row["blob_key"],
            expires_at=row["expires_at"],
            given_up=given_up,
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
                .where(*_still_owned(shard))
                .values(
                    status="done" if done else "running",
                    lease_expires_at=now + lease_seconds,
                    **progress_values(progress),
                )
            ).rowcount
            if not owned:
                return ShardVerdict.LOST
            if done:
                self._signal(conn, Event.FINALIZE)
            stop_reason = conn.execute(
                select(batches.c.stop_reason).where(batches.c.id == shard.batch_id)
            ).scalar()
        return ShardVerdict.STOP if stop_reason else ShardVerdict.CONTINUE

    def release_shard(self, shard: ShardRecord, progress: ShardProgress) -> None:
        """Hand an unfinished shard back at shutdown, so any worker can take it at once."""
        with self._tx() as conn:
            conn.execute(
                update(shards)
                .where(*_still_owned(shard))
                .values(
                    status="pending",
                    owner=None,
                    lease_expires_at=None,
                    **progress_values(progress),
                )
            )
            # A stopping batch may now be ready to finalize; otherwise the shard waits.
            self._signal(conn, Event.SHARDS)

    def shards_of(self, batch_id: str) -> list[ShardRecord]:
        with self._tx() as conn:
            rows = conn.execute(
                select(shards).where(shards.c.batch_id == batch_id).order_by(shards.c.idx)
            ).mappings()
            return [shard_record(r) for r in rows.all()]

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
            self._signal(conn, Event.SHARDS)


def _still_owned(shard: ShardRecord) -> tuple[ColumnElement[bool], ...]:
    """The shard's row, only while this claim (owner and epoch) still holds it."""
    return (
        shards.c.batch_id == shard.batch_id,
        shards.c.idx == shard.index,
        shards.c.owner == shard.owner,
        shards.c.epoch == shard.epoch,
        shards.c.status == "running",
    )
