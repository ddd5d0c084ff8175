"""Quota counts and the checks made with an insert, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from tests.store.factories import NOW, add_batch, add_file, batch_record, file_record

from batchyard.records import BatchRecord, BatchStatus, ShardProgress, ShardRecord
from batchyard.store import Store
from batchyard.store.errors import (
    ActiveBatchesQuotaReached,
    EnqueuedLinesQuotaReached,
    StorageQuotaReached,
)
from batchyard.store.usage import ProjectUsage


def running(store: Store, lines: int, project: str = "p") -> BatchRecord:
    """A batch in progress with one shard of `lines` lines."""
    file = add_file(store, file_record(size=lines * 10, project=project))
    batch = add_batch(store, batch_record(file.id, project=project))
    assert store.claim_validation("v", NOW, 30) is not None
    shard = ShardRecord(batch.id, 0, 1, lines, 0, lines * 10, lines)
    store.start_batch(batch.id, "v", "m", [shard], NOW)
    return batch


def test_usage_counts_only_the_projects_live_objects(store: Store) -> None:
    assert store.usage.of("p") == ProjectUsage(0, 0, 0)
    kept, gone = file_record(size=100), file_record(size=50)
    store.add_file(kept)
    store.add_file(gone)
    store.add_file(file_record(size=1000, project="q"))
    store.delete_file("p", gone.id, NOW)
    store.add_batch(batch_record())
    store.add_batch(batch_record(project="q"))
    assert store.usage.of("p") == ProjectUsage(100, 1, 0)


def test_enqueued_lines_fall_as_lines_finish_and_stop_at_a_cancel(store: Store) -> None:
    batch = running(store, 10)
    running(store, 7, project="q")
    assert store.usage.of("p").enqueued_lines == 10
    claim = store.claim_shard("w", NOW, 30)
    assert claim is not None and claim.shard.batch_id == batch.id
    store.checkpoint_shard(claim.shard, ShardProgress(completed=3, failed=1), NOW, 30)
    assert store.usage.of("p").enqueued_lines == 6
    store.request_cancel("p", batch.id, NOW)
    assert store.usage.of("p") == ProjectUsage(100, 1, 0)


def test_a_file_that_does_not_fit_is_refused_and_not_kept(store: Store) -> None:
    store.add_file(file_record(size=60), max_stored_bytes=100)
    store.add_file(file_record(size=40), max_stored_bytes=100)  # exactly at the limit
    extra = file_record(size=1)
    with pytest.raises(StorageQuotaReached) as exc:
        store.add_file(extra, max_stored_bytes=100)
    assert exc.value == StorageQuotaReached("p", stored=100, adding=1, limit=100)
    assert store.get_file("p", extra.id) is None
    store.add_file(file_record(size=1, project="q"), max_stored_bytes=100)  # per project


def test_active_batches_and_enqueued_lines_limit_new_batches(store: Store) -> None:
    running(store, 5)
    store.add_batch(batch_record(), max_active_batches=2)
    with pytest.raises(ActiveBatchesQuotaReached) as active:
        store.add_batch(batch_record(), max_active_batches=2)
    assert active.value == ActiveBatchesQuotaReached("p", limit=2)
    with pytest.raises(EnqueuedLinesQuotaReached) as enqueued:
        store.add_batch(batch_record(), max_enqueued_lines=5)
    assert enqueued.value == EnqueuedLinesQuotaReached("p", limit=5, enqueued=5)
    store.add_batch(batch_record(), max_enqueued_lines=6)
    assert store.usage.of("p").active_batches == 3


def validated(
    store: Store, lines: int, owner: str, project: str = "p"
) -> tuple[BatchRecord, list[ShardRecord]]:
    """A batch whose validation `owner` holds, with the one shard intake cut for it."""
    file = add_file(store, file_record(size=lines * 10, project=project))
    batch = add_batch(store, batch_record(file.id, project=project))
    claimed = store.claim_validation(owner, NOW, 30)
    assert claimed is not None and claimed.id == batch.id
    return batch, [ShardRecord(batch.id, 0, 1, lines, 0, lines * 10, lines)]


def test_a_batch_starts_only_if_its_lines_fit_in_the_same_transaction(store: Store) -> None:
    running(store, 4)
    batch, shards = validated(store, 7, "v2")
    with pytest.raises(EnqueuedLinesQuotaReached) as full:
        store.start_batch(batch.id, "v2", "m", shards, NOW, max_enqueued_lines=10)
    assert full.value == EnqueuedLinesQuotaReached("p", limit=10, enqueued=4, adding=7)
    fetched = store.get_batch("p", batch.id)
    assert fetched is not None and fetched.status is BatchStatus.VALIDATING  # nothing written
    store.start_batch(batch.id, "v2", "m", shards, NOW, max_enqueued_lines=11)  # exactly fits
    assert store.usage.of("p").enqueued_lines == 11


@pytest.mark.parametrize("round_", range(3))  # a few rounds: an unlocked check races
def test_two_batches_started_at_once_cannot_both_take_the_last_room(
    database_url: str, round_: int
) -> None:
    """Each fits alone, both do not: whatever the timing, exactly one starts.

    Each thread has its own `Store` (its own pool), as two workers would, and they
    start at the same moment; on PostgreSQL the project's advisory lock orders them.
    """
    setup = Store.open(database_url)
    pending = [validated(setup, 6, f"v{n}") for n in range(2)]
    setup.close()
    barrier = threading.Barrier(len(pending))
    outcomes: list[str] = []

    def start(number: int) -> None:
        store = Store.open(database_url)
        batch, shards = pending[number]
        try:
            barrier.wait()
            store.start_batch(batch.id, f"v{number}", "m", shards, NOW, max_enqueued_lines=10)
            outcomes.append("started")
        except EnqueuedLinesQuotaReached as full:
            outcomes.append(f"refused at {full.enqueued}")
        finally:
            store.close()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(len(pending))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused at 6", "started"]
    check = Store.open(database_url)
    assert check.usage.of("p").enqueued_lines == 6
    check.close()
