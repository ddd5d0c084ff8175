"""The store interface, on SQLite and PostgreSQL alike: claims, leases, transitions."""

from __future__ import annotations

import pytest
from tests.store.factories import NOW, add_batch, add_file, batch_record, file_record

from batchyard.records import (
    BatchRecord,
    BatchStatus,
    FileRecord,
    ShardProgress,
    ShardRecord,
    StopReason,
    Usage,
)
from batchyard.store import ShardVerdict, Store
from batchyard.store.errors import BatchNotCancellable, BatchNotFound


def shard(batch_id: str, index: int, requests: int = 2) -> ShardRecord:
    first = index * requests + 1
    return ShardRecord(
        batch_id=batch_id,
        index=index,
        first_line=first,
        last_line=first + requests - 1,
        start=index * 100,
        end=(index + 1) * 100,
        requests=requests,
    )


def started_batch(store: Store, shards: int = 2) -> BatchRecord:
    file = add_file(store)
    batch = add_batch(store, file.id)
    claimed = store.claim_validation("v", NOW, 30)
    assert claimed is not None and claimed.id == batch.id
    store.start_batch(batch.id, "v", "m", [shard(batch.id, i) for i in range(shards)], NOW)
    return batch


def test_file_pages_visit_every_file_once_even_across_deletes(store: Store) -> None:
    made = [add_file(store).id for _ in range(5)]
    add_file(store, file_record(project="other"))
    seen: list[str] = []
    after = None
    while True:
        page, more = store.list_files("p", after=after, limit=2)
        seen += [f.id for f in page]
        if page:
            store.delete_file("p", page[-1].id, NOW)  # a clean-up loop deletes as it pages
        if not more:
            break
        after = page[-1].id
    assert seen == list(reversed(made))
    assert store.get_file("p", made[0]) is None
    ascending, _ = store.list_files("p", ascending=True, limit=10)
    assert [f.id for f in ascending] == [made[2], made[4]]


def test_another_projects_objects_are_invisible(store: Store) -> None:
    file = add_file(store)
    batch = add_batch(store, file.id)
    assert store.get_file("q", file.id) is None
    assert store.get_batch("q", batch.id) is None
    assert store.list_batches("q") == ([], False)
    with pytest.raises(BatchNotFound):
        store.request_cancel("q", batch.id, NOW)


def test_cancel_is_idempotent_and_conflicts_once_finished(store: Store) -> None:
    batch = add_batch(store)
    first = store.request_cancel("p", batch.id, NOW)
    again = store.request_cancel("p", batch.id, NOW + 5)
    assert first.status is again.status is BatchStatus.CANCELLING
    claimed = store.claim_validation("v", NOW, 30)
    assert claimed is not None and claimed.status is BatchStatus.CANCELLING
    store.cancel_unstarted(batch.id, "v", NOW)
    ended = store.get_batch("p", batch.id)
    assert ended is not None and ended.status is BatchStatus.CANCELLED and ended.total == 0
    assert store.request_cancel("p", batch.id, NOW).status is BatchStatus.CANCELLED

    failed = add_batch(store)
    assert store.claim_validation("v", NOW, 30) is not None
    store.fail_validation(failed.id, "v", [{"code": "empty_file"}], NOW)
    with pytest.raises(BatchNotCancellable) as refused:
        store.request_cancel("p", failed.id, NOW)
    assert refused.value.status == "failed"


def test_validation_lease_is_exclusive_until_it_lapses(store: Store) -> None:
    batch = add_batch(store)
    assert store.claim_validation("a", NOW, 30) is not None
    assert store.claim_validation("b", NOW + 10, 30) is None
    taken = store.claim_validation("b", NOW + 31, 30)
    assert taken is not None and taken.id == batch.id
    # The first validator lost its lease: its verdict is ignored.
    store.start_batch(batch.id, "a", "m", [shard(batch.id, 0)], NOW)
    current = store.get_batch("p", batch.id)
    assert current is not None and current.status is BatchStatus.VALIDATING


def test_shard_claims_are_exclusive_and_a_lapsed_lease_moves_on(store: Store) -> None:
    batch = started_batch(store, shards=2)
    a = store.claim_shard("a", NOW, 30)
    b = store.claim_shard("b", NOW, 30)
    assert a is not None and b is not None
    assert {a.shard.index, b.shard.index} == {0, 1}
    assert store.claim_shard("c", NOW, 30) is None

    taken = store.claim_shard("c", NOW + 31, 30)
    assert taken is not None and taken.shard.index == a.shard.index
    assert taken.shard.epoch == a.shard.epoch + 1
    assert store.checkpoint_shard(a.shard, ShardProgress(1), NOW + 32, 30) is ShardVerdict.LOST
    progress = ShardProgress(completed=1, failed=1, usage=Usage(3, 4, 0, 0))
    verdict = store.checkpoint_shard(taken.shard, progress, NOW + 32, 30)
    assert verdict is ShardVerdict.CONTINUE
    live = store.get_batch("p", batch.id)
    assert live is not None and (live.total, live.completed, live.failed) == (4, 1, 1)
    assert live.usage.input_tokens == 3


def test_a_cancel_tells_workers_to_stop_and_finalizes_once_none_is_live(store: Store) -> None:
    batch = started_batch(store, shards=1)
    claim = store.claim_shard("w", NOW, 30)
    assert claim is not None
    store.request_cancel("p", batch.id, NOW)
    assert store.claim_finalization("f", NOW, 30) is None  # a shard is still live
    assert store.checkpoint_shard(claim.shard, ShardProgress(1), NOW, 30) is ShardVerdict.STOP
    store.release_shard(claim.shard, ShardProgress(1))
    assert store.claim_shard("w2", NOW, 30) is None  # a stopping batch starts no new shard
    record = store.claim_finalization("f", NOW, 30)
    assert record is not None and record.stop_reason is StopReason.CANCEL
    status = store.finish_batch(
        batch.id,
        "f",
        output_file=None,
        error_file=None,
        completed=1,
        failed=1,
        usage=Usage(),
        now=NOW,
    )
    assert status is BatchStatus.CANCELLED


def test_finalizing_starts_when_every_shard_is_done_and_is_taken_over_after_a_crash(
    store: Store,
) -> None:
    batch = started_batch(store, shards=1)
    claim = store.claim_shard("w", NOW, 30)
    assert claim is not None
    assert store.claim_finalization("f", NOW, 30) is None
    store.checkpoint_shard(claim.shard, ShardProgress(2), NOW, 30, done=True)
    first = store.claim_finalization("f", NOW, 30)
    assert first is not None and first.status is BatchStatus.FINALIZING
    assert store.claim_finalization("g", NOW + 10, 30) is None
    second = store.claim_finalization("g", NOW + 31, 30)  # f died while finalizing
    assert second is not None and second.finalizing_at == NOW
    output = FileRecord(
        id="file-out",
        project="p",
        purpose="batch_output",
        filename="o.jsonl",
        bytes=5,
        created_at=NOW,
        expires_at=None,
        blob_key="files/file-out",
    )
    lost = store.finish_batch(
        batch.id,
        "f",
        output_file=output,
        error_file=None,
        completed=2,
        failed=0,
        usage=Usage(),
        now=NOW,
    )
    assert lost is None
    done = store.finish_batch(
        batch.id,
        "g",
        output_file=output,
        error_file=None,
        completed=2,
        failed=0,
        usage=Usage(1, 2, 0, 0),
        now=NOW + 40,
    )
    assert done is BatchStatus.COMPLETED
    final = store.get_batch("p", batch.id)
    assert final is not None and final.output_file_id == "file-out"
    assert final.completed_at == NOW + 40 and final.usage.output_tokens == 2
    assert store.get_file("p", "file-out") is not None


def test_expiry_marks_only_unfinished_batches_past_their_deadline(store: Store) -> None:
    due = started_batch(store, shards=1)
    later = add_batch(store, batch_record(expires_at=NOW + 10**6))
    assert store.expire_due(NOW + 86400) == [due.id]
    assert store.expire_due(NOW + 86400) == []
    record = store.claim_finalization("f", NOW + 86400, 30)
    assert record is not None and record.stop_reason is StopReason.EXPIRE
    status = store.finish_batch(
        due.id,
        "f",
        output_file=None,
        error_file=None,
        completed=0,
        failed=2,
        usage=Usage(),
        now=NOW + 86400,
    )
    assert status is BatchStatus.EXPIRED
    untouched = store.get_batch("p", later.id)
    assert untouched is not None and untouched.stop_reason is None


def test_batches_list_newest_first_with_cursor(store: Store) -> None:
    made = [add_batch(store).id for _ in range(3)]
    page, more = store.list_batches("p", limit=2)
    assert [b.id for b in page] == [made[2], made[1]] and more
    rest, more = store.list_batches("p", after=made[1], limit=2)
    assert [b.id for b in rest] == [made[0]] and not more
    assert store.file_in_use("p", "file-x")


def test_a_cursor_or_filter_holding_a_nul_names_nothing(store: Store) -> None:
    """PostgreSQL refuses a NUL in a query string; no id or purpose holds one, so the page
    is empty, as for any cursor the store does not know (the API's fuzzer sends these)."""
    add_file(store)
    add_batch(store)
    assert store.list_files("p", after="\x00\x92", limit=10) == ([], False)
    assert store.list_files("p", purpose="batch\x00", limit=10) == ([], False)
    assert store.list_batches("p", after="batch_\x00", limit=10) == ([], False)
    assert store.webhooks.list_endpoints("p", after="we_\x00", limit=10) == ([], False)


def test_leases_of_dead_workers_end_at_once(store: Store) -> None:
    started_batch(store, shards=2)
    claim = store.claim_shard("host:1:dead", NOW, 30)
    assert claim is not None
    assert store.lease_holders() == {"host:1:dead"}
    assert store.claim_shard("other", NOW, 30) is not None  # the second shard
    assert store.claim_shard("other", NOW + 1, 30) is None
    store.expire_leases({"host:1:dead"})
    taken = store.claim_shard("other", NOW + 1, 30)
    assert taken is not None and taken.shard.index == claim.shard.index
