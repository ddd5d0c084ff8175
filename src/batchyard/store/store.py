"""The metadata store: every read and write of files, batches and shards.

Domain verbs only; callers never see SQL. The same code runs on SQLite and
PostgreSQL (SQLAlchemy Core); claims use `FOR UPDATE SKIP LOCKED` where the
database has it and a guarded `UPDATE` inside an immediate transaction where it
does not. Methods are synchronous: the engine calls them through a thread.
Each noun's verbs live in its own module; `Store` is all of them on one engine.
API keys, what a project holds (for its quotas) and retention sweeps are reached as
`store.keys`, `store.usage` and `store.retention`; the monitor's plan (forecast
ends, at-risk reasons) as `store.plans`; dashboard sign-ins as `store.sessions`, the
pacers' reports as `store.pacer_states`. A verb that refuses raises one of
`store.errors`, never an HTTP error.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from batchyard.store import migrate
from batchyard.store.batches import BatchStore
from batchyard.store.database import connect
from batchyard.store.files import FileStore
from batchyard.store.finalizing import FinalizingStore
from batchyard.store.keys import KeyStore
from batchyard.store.monitor import MonitorStore
from batchyard.store.notifications import Listener
from batchyard.store.pacer_states import PacerStateStore
from batchyard.store.pieces import PieceStore
from batchyard.store.plans import PlanStore
from batchyard.store.retention import RetentionStore
from batchyard.store.sessions import SessionStore
from batchyard.store.shards import ShardStore
from batchyard.store.usage import UsageStore
from batchyard.store.webhooks import WebhookStore


class Store(FileStore, BatchStore, ShardStore, FinalizingStore):
    """Files, batches and shards in one SQL database.

    `webhooks` (endpoints and the delivery outbox) and `monitor` (progress and
    totals) are parts of it on the same engine.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.keys = KeyStore(engine)
        self.webhooks = WebhookStore(engine)
        self.monitor = MonitorStore(engine)
        self.plans = PlanStore(engine)
        self.usage = UsageStore(engine)
        self.retention = RetentionStore(engine)
        self.pieces = PieceStore(engine)
        self.sessions = SessionStore(engine)
        self.pacer_states = PacerStateStore(engine)

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect and bring the schema up to date (safe from many processes at once)."""
        store = cls(connect(url))
        try:
            migrate.upgrade(store.engine)
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    def listener(self, on_event: Callable[[str], None]) -> Listener | None:
        """A LISTEN connection that calls `on_event` when work may wait; None on SQLite."""
        if self.engine.dialect.name != "postgresql":
            return None
        return Listener(self.engine, on_event)
