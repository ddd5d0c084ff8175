"""What every part of the store shares: the engine, transactions, batch leases, signals."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, or_, select, update

from batchyard.records import BatchRecord
from batchyard.store import notifications
from batchyard.store.rows import batch_record
from batchyard.store.schema import batches


class StoreBase:
    """One SQL database; the store's parts (files, batches, shards, finalizing) build on it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._skip_locked = engine.dialect.name == "postgresql"

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @staticmethod
    def _signal(conn: Connection, event: notifications.Event) -> None:
        """Tell every listening worker, once this transaction commits, that work may wait."""
        notifications.send(conn, event)

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
        return batch_record(row)
