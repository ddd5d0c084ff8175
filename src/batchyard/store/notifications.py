"""Waking workers on other machines: PostgreSQL LISTEN/NOTIFY, with polling behind it.

The store sends a notification inside the transaction that makes work
available (a batch created or cancelled, shards that can be claimed, a shard
that finished), so it is delivered only if that work is committed. Workers
listen on one dedicated connection and wake their loops; a lost connection
costs latency only, because the engine keeps polling meanwhile. The channel
carries the schema's name, so deployments that share a database in separate
schemas do not wake each other. SQLite has no notifications: a process that
shares an SQLite file with others finds their work by polling.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable

import psycopg
from psycopg import sql
from sqlalchemy import Connection, Engine, text

log = logging.getLogger("batchyard.store")

_CHANNEL = "'batchyard_' || current_schema()"


class Event(enum.StrEnum):
    """What a notification says; a listener may act on any of them the same way."""

    BATCH = "batch"  # a batch waits for validation, or was cancelled
    SHARDS = "shards"  # shards became claimable
    FINALIZE = "finalize"  # a shard finished or a batch stopped: a batch may be ready to finalize


def send(conn: Connection, event: Event) -> None:
    """Queue a notification on `conn`'s transaction (PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT pg_notify({_CHANNEL}, :event)"), {"event": event.value})


class Listener:
    """Calls `on_event` for every notification until cancelled, reconnecting after errors.

    `connected` says whether notifications can arrive now; the engine polls
    often while it is False and seldom while it is True.
    """

    def __init__(
        self,
        engine: Engine,
        on_event: Callable[[str], None],
        *,
        retry_seconds: float = 1.0,
        health_seconds: float = 15.0,
    ) -> None:
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        self._connect_args = (list(args), dict(kwargs))
        self._on_event = on_event
        self._retry_seconds = retry_seconds
        self._health_seconds = health_seconds
        self.connected = False
        self.backend_pid: int | None = None  # the LISTEN session's server process

    async def run(self) -> None:
        while True:
            try:
                await self._listen()
            except Exception as exc:  # whatever broke the session, the engine polls meanwhile
                if self.connected:
                    log.warning("LISTEN connection lost (%s); polling", type(exc).__name__)
                self.connected = False
                await asyncio.sleep(self._retry_seconds)
            finally:
                self.connected = False

    async def _listen(self) -> None:
        args, kwargs = self._connect_args
        async with await psycopg.AsyncConnection.connect(*args, **kwargs, autocommit=True) as conn:
            row = await (await conn.execute(f"SELECT {_CHANNEL}")).fetchone()
            assert row is not None
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(row[0])))
            self.backend_pid = conn.info.backend_pid
            self.connected = True
            # Work may have arrived while no one listened.
            self._on_event("listening")
            while True:
                async for notify in conn.notifies(timeout=self._health_seconds):
                    self._on_event(notify.payload)
                # Quiet for a while: make sure the connection is still alive.
                await conn.execute("SELECT 1")
