"""Many workers at once: each shard and each batch's finalizing goes to exactly one.

Every thread opens its own `Store` (its own connection pool), as a separate
process would, and they all start claiming at the same moment.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from tests.store.factories import NOW, add_batch, add_file

from batchyard.records import BatchRecord, ShardProgress, ShardRecord
from batchyard.store import Store

WORKERS = 4
T = TypeVar("T")


def started_batch(store: Store, shards: int) -> BatchRecord:
    batch = add_batch(store, add_file(store).id)
    assert store.claim_validation("v", NOW, 30) is not None
    parts = [
        ShardRecord(batch.id, i, first_line=i + 1, last_line=i + 1, start=i, end=i + 1, requests=1)
        for i in range(shards)
    ]
    store.start_batch(batch.id, "v", "m", parts, NOW)
    return batch


def race(url: str, claim: Callable[[Store, str], T | None]) -> list[T]:
    """Every worker claims until nothing is left; returns every claim made."""
    barrier = threading.Barrier(WORKERS)
    claims: list[T] = []
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        store = Store.open(url)
        try:
            barrier.wait()
            while (got := claim(store, f"w{number}")) is not None:
                claims.append(got)
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return claims


def test_racing_workers_claim_each_shard_exactly_once(database_url: str) -> None:
    store = Store.open(database_url)
    started_batch(store, shards=40)
    store.close()

    def claim(s: Store, owner: str) -> tuple[int, str] | None:
        got = s.claim_shard(owner, NOW, 30)
        return (got.shard.index, owner) if got else None

    counts = Counter(index for index, _ in race(database_url, claim))
    assert sorted(counts) == list(range(40)) and set(counts.values()) == {1}


def test_racing_finalizers_take_each_batch_exactly_once(database_url: str) -> None:
    store = Store.open(database_url)
    ready = []
    for _ in range(12):
        batch = started_batch(store, shards=1)
        claim = store.claim_shard("runner", NOW, 30)
        assert claim is not None
        store.checkpoint_shard(claim.shard, ShardProgress(completed=1), NOW, 30, done=True)
        ready.append(batch.id)
    store.close()

    def claim(s: Store, owner: str) -> str | None:
        got = s.claim_finalization(owner, NOW, 30)
        return got.id if got else None

    claims = race(database_url, claim)
    assert sorted(claims) == sorted(ready)  # each batch exactly once
