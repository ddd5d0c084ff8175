"""A shard runner while the database is away: it rides out short outages, and stops
writing once a whole lease has passed, because another worker may own the shard by then.

The store is a real SQLite store whose `checkpoint_shard` fails while `outage` says so.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy.exc import OperationalError

from batchyard import ids
from batchyard.backends import create_backend
from batchyard.blobs import LocalBlobStore
from batchyard.config import EngineSettings, ModelConfig
from batchyard.engine import journal
from batchyard.engine.retry import RetryPolicy
from batchyard.engine.runner import ShardRunner
from batchyard.records import BatchRecord, BatchStatus, FileRecord, ShardClaim, ShardRecord
from batchyard.store import Store


class FlakyStore(Store):
    """Checkpoints fail while `outage` is set, as if the database were unreachable."""

    outage = False
    failures = 0
    failed_thrice = threading.Event()

    def checkpoint_shard(self, *args: Any, **kwargs: Any) -> Any:
        if self.outage:
            self.failures += 1
            if self.failures >= 3:
                self.failed_thrice.set()
            raise OperationalError("UPDATE shards", {}, Exception("the database is away"))
        return super().checkpoint_shard(*args, **kwargs)


def claim_one(store: Store, blobs: LocalBlobStore, lines: int) -> ShardClaim:
    data = b"".join(
        orjson.dumps(
            {
                "custom_id": f"r{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
            }
        )
        + b"\n"
        for i in range(lines)
    )
    with blobs.writer("files/in") as fh:
        fh.write(data)
    now = int(time.time())
    store.add_file(
        FileRecord("file-in", "p", "batch", "in.jsonl", len(data), now, None, "files/in")
    )
    batch = BatchRecord(
        id=ids.batch_id(),
        project="p",
        endpoint="/v1/chat/completions",
        input_file_id="file-in",
        completion_window="24h",
        status=BatchStatus.VALIDATING,
        created_at=now,
        expires_at=now + 86400,
    )
    store.add_batch(batch)
    assert store.claim_validation("v", now, 30) is not None
    shard = ShardRecord(batch.id, 0, first_line=1, last_line=lines, start=0, end=len(data),
                        requests=lines)  # fmt: skip
    store.start_batch(batch.id, "v", "m", [shard], now)
    claim = store.claim_shard("w", time.time(), 30)
    assert claim is not None
    return claim


def runner(store: Store, blobs: LocalBlobStore, claim: ShardClaim, lease: float) -> ShardRunner:
    model = ModelConfig("m", "mock", options={"latency_ms": 10, "max_group": 1})
    return ShardRunner(
        claim,
        backend=create_backend(model),
        limiter=asyncio.Semaphore(4),
        store=store,
        blobs=blobs,
        settings=EngineSettings(checkpoint_seconds=0.05, lease_seconds=lease),
        policy=RetryPolicy(),
    )


@pytest.fixture
def parts(tmp_path: Path) -> tuple[FlakyStore, LocalBlobStore]:
    store = FlakyStore.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert isinstance(store, FlakyStore)
    store.failed_thrice = threading.Event()
    return store, LocalBlobStore(tmp_path / "blobs")


async def test_a_short_outage_is_ridden_out(parts: tuple[FlakyStore, LocalBlobStore]) -> None:
    store, blobs = parts
    claim = claim_one(store, blobs, 1000)  # 2.5 s of work at 4 x 10 ms
    run = runner(store, blobs, claim, lease=30)
    store.outage = True
    task = asyncio.create_task(run.run())
    assert await asyncio.to_thread(store.failed_thrice.wait, 10)  # three in a row fail
    store.outage = False
    await task
    assert not run.lost
    (shard,) = store.shards_of(claim.shard.batch_id)
    assert shard.status == "done"
    done, progress = journal.recover(blobs, shard)
    assert done == set(range(1, 1001)) and progress.completed == 1000


async def test_a_lease_long_outage_stops_the_runner(
    parts: tuple[FlakyStore, LocalBlobStore],
) -> None:
    store, blobs = parts
    claim = claim_one(store, blobs, 2000)  # 5 s of work at 4 x 10 ms
    run = runner(store, blobs, claim, lease=0.4)
    store.outage = True
    await asyncio.wait_for(run.run(), timeout=5)
    assert run.lost
    done, _ = journal.recover(blobs, claim.shard)
    assert 0 < len(done) < 2000  # it ran for about a lease, then wrote nothing more
    (shard,) = store.shards_of(claim.shard.batch_id)
    assert shard.status == "running"  # left for its lease to lapse and another worker
