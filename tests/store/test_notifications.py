"""PostgreSQL LISTEN/NOTIFY: workers hear of new work at once, from any process.

The store notifies inside the transactions that make work available; a
`Listener` hears it on its own connection and survives losing that connection.
The last test runs a whole engine that polls only every 30 s: a batch that
another process creates still finishes in seconds, because the engine hears of it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.store.factories import add_batch, add_file, batch_record, file_record

from batchyard.blobs import LocalBlobStore
from batchyard.config import EngineSettings, ModelConfig, Settings
from batchyard.engine import Engine
from batchyard.records import BatchRecord, BatchStatus, ShardProgress, ShardRecord
from batchyard.store import Store
from batchyard.store.notifications import Listener

pytestmark = pytest.mark.postgres
NOW = int(time.time())


def queued_batch(store: Store, blob_key: str = "files/x", size: int = 10) -> BatchRecord:
    file = add_file(store, file_record(size=size, created_at=NOW, blob_key=blob_key))
    return add_batch(store, batch_record(file.id, created_at=NOW, expires_at=NOW + 86400))


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


@asynccontextmanager
async def listening(store: Store, events: list[str]) -> AsyncIterator[Listener]:
    listener = store.listener(events.append)
    assert listener is not None
    task = asyncio.create_task(listener.run())
    try:
        await until(lambda: listener.connected)
        yield listener
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_every_kind_of_new_work_is_announced(postgres_url: str) -> None:
    store, api = Store.open(postgres_url), Store.open(postgres_url)  # a worker, an API process
    events: list[str] = []
    try:
        async with listening(store, events):
            batch = await asyncio.to_thread(queued_batch, api)
            await until(lambda: "batch" in events)
            assert store.claim_validation("v", NOW, 30) is not None
            shard = ShardRecord(batch.id, 0, first_line=1, last_line=1, start=0, end=1, requests=1)
            store.start_batch(batch.id, "v", "m", [shard], NOW)
            await until(lambda: "shards" in events)
            claim = store.claim_shard("w", NOW, 30)
            assert claim is not None
            store.checkpoint_shard(claim.shard, ShardProgress(1), NOW, 30, done=True)
            await until(lambda: "finalize" in events)
            events.clear()
            other = await asyncio.to_thread(queued_batch, api)
            await asyncio.to_thread(api.request_cancel, "p", other.id, NOW)
            await until(lambda: events.count("batch") == 2)
    finally:
        store.close()
        api.close()


async def test_another_schema_does_not_wake_this_one(
    postgres_url: str, other_postgres_url: str
) -> None:
    store, neighbour = Store.open(postgres_url), Store.open(other_postgres_url)
    events: list[str] = []
    try:
        async with listening(store, events):
            await asyncio.to_thread(queued_batch, neighbour)
            await asyncio.to_thread(queued_batch, store)
            await until(lambda: "batch" in events)
            await asyncio.sleep(0.3)
            assert events.count("batch") == 1
    finally:
        store.close()
        neighbour.close()


async def test_a_lost_listen_connection_comes_back(postgres_url: str) -> None:
    store = Store.open(postgres_url)
    events: list[str] = []
    try:
        async with listening(store, events) as listener:
            first = listener.backend_pid
            with store.engine.begin() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            await until(lambda: listener.connected and listener.backend_pid != first)
            events.clear()
            await asyncio.to_thread(queued_batch, store)
            await until(lambda: "batch" in events)
    finally:
        store.close()


async def test_an_engine_that_polls_every_30_s_finishes_a_batch_in_seconds(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        engine=EngineSettings(poll_seconds=30, listen_poll_seconds=30),
        models=[ModelConfig(name="m", backend="mock")],
    )
    blobs = LocalBlobStore(settings.blob_dir)
    store, api = Store.open(postgres_url), Store.open(postgres_url)
    engine = Engine(settings, store, blobs)
    line = (
        b'{"custom_id":"a","method":"POST","url":"/v1/chat/completions",'
        b'"body":{"model":"m","messages":[{"role":"user","content":"hi"}]}}\n'
    )
    with blobs.writer("files/in") as fh:
        fh.write(line)
    running = asyncio.create_task(engine.run())
    try:
        listener = engine._listener
        assert listener is not None
        await until(lambda: listener.connected)
        await asyncio.sleep(0.5)  # every loop has looked once and now waits 30 s
        batch = await asyncio.to_thread(queued_batch, api, "files/in", len(line))

        def done() -> bool:
            record = api.get_batch("p", batch.id)
            return record is not None and record.status is BatchStatus.COMPLETED

        await until(done, within=10)
    finally:
        engine.stop()
        await running
        store.close()
        api.close()
