"""Fair share in the shard claim: weights honoured, light projects not starved, EDF within."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from prometheus_client.parser import text_string_to_metric_families
from tests.store.factories import NOW, add_batch, add_file, batch_record

from batchyard.metrics import Metrics
from batchyard.records import BatchRecord, ShardClaim, ShardRecord
from batchyard.store import ClaimOrder, Store


def started(store: Store, project: str, shards: int, *, expires_in: int = 86400) -> BatchRecord:
    file = add_file(store)
    batch = add_batch(store, batch_record(file.id, project=project, expires_at=NOW + expires_in))
    assert store.claim_validation("v", NOW, 30) is not None
    parts = [
        ShardRecord(batch.id, i, first_line=i + 1, last_line=i + 1, start=i, end=i + 1, requests=1)
        for i in range(shards)
    ]
    store.start_batch(batch.id, "v", "m", parts, NOW)
    return batch


def claim_many(store: Store, n: int, weights: dict[str, int] | None = None) -> list[ShardClaim]:
    claims = []
    for i in range(n):
        claim = store.claim_shard(f"w{i}", NOW, 30, None, weights)
        assert claim is not None
        claims.append(claim)
    return claims


def test_a_light_project_is_not_starved_behind_a_heavy_one(store: Store) -> None:
    started(store, "heavy", 20, expires_in=3600)  # first, and due first: today's order runs it all
    light = started(store, "light", 1)
    claims = claim_many(store, 2)
    assert light.id in {c.shard.batch_id for c in claims}


def test_weights_are_honoured_while_shards_run(store: Store) -> None:
    started(store, "a", 40)
    started(store, "b", 40)
    counts = Counter(c.project for c in claim_many(store, 20, {"a": 3, "b": 1}))
    assert abs(counts["a"] - 15) <= 1 and abs(counts["b"] - 5) <= 1


def test_within_a_project_the_earliest_deadline_goes_first(store: Store) -> None:
    started(store, "p", 2, expires_in=86400)
    urgent = started(store, "p", 2, expires_in=600)
    first = store.claim_shard("w", NOW, 30)
    assert first is not None and first.shard.batch_id == urgent.id


def test_a_lapsed_lease_does_not_count_against_the_share(store: Store) -> None:
    started(store, "a", 4)
    b = started(store, "b", 4)
    held = claim_many(store, 2, {"a": 1, "b": 1})
    assert {c.project for c in held} == {"a", "b"}
    # 60 s later every lease has lapsed; the shares start again from nothing running.
    later = store.claim_shard("x", NOW + 60, 30)
    assert later is not None and later.shard.batch_id in {b.id, held[0].shard.batch_id}


@pytest.mark.parametrize("workers", [2])
def test_two_workers_share_by_weight_and_claim_each_shard_once(
    database_url: str, workers: int
) -> None:
    setup = Store.open(database_url)
    started(setup, "a", 30)
    started(setup, "b", 30)
    setup.close()
    claims: list[ShardClaim] = []
    lock = threading.Lock()
    barrier = threading.Barrier(workers)

    def worker(number: int) -> None:
        store = Store.open(database_url)
        try:
            barrier.wait()
            for i in range(12):
                got = store.claim_shard(f"w{number}-{i}", NOW, 30, None, {"a": 2, "b": 1})
                assert got is not None
                with lock:
                    claims.append(got)
        finally:
            store.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(claims) == 24
    assert len({(c.shard.batch_id, c.shard.index) for c in claims}) == 24
    counts = Counter(c.project for c in claims)
    assert abs(counts["a"] - 16) <= 2, counts


def test_metrics_show_each_projects_share_against_its_entitlement(store: Store) -> None:
    started(store, "a", 10)
    started(store, "b", 10)
    claim_many(store, 4, {"a": 3, "b": 1})
    metrics = Metrics()
    metrics.attach_store(store, {"a": 3, "b": 1})
    samples = {
        (s.labels["project"], s.labels["kind"]): s.value
        for family in text_string_to_metric_families(metrics.render().decode())
        if family.name == "batchyard_project_share"
        for s in family.samples
    }
    assert samples == {
        ("a", "used"): 0.75,
        ("a", "entitled"): 0.75,
        ("b", "used"): 0.25,
        ("b", "entitled"): 0.25,
    }


def mark_at_risk(store: Store, batch: BatchRecord, reason: str | None = "late") -> None:
    """What the monitor writes when its plan ends the batch after its window."""
    store.monitor.record_progress([(batch.id, 0)], NOW, 300)
    assert store.plans.record({batch.id: (NOW + 10**6, reason, False)}, NOW) == 1


def test_an_at_risk_batch_yields_to_one_that_can_still_finish(store: Store) -> None:
    doomed = started(store, "p", 3, expires_in=600)  # earliest deadline: EDF would run it
    feasible = started(store, "p", 2, expires_in=3600)
    mark_at_risk(store, doomed)
    order = [c.shard.batch_id for c in claim_many(store, 5)]
    assert order == [feasible.id] * 2 + [doomed.id] * 3  # then it still gets what is left
    assert store.plans.at_risk() == {"m": 1}


def test_a_batch_that_waited_past_aging_goes_first_within_its_project(store: Store) -> None:
    huge = started(store, "p", 50, expires_in=600)
    small = started(store, "p", 1, expires_in=3600)
    early = store.claim_shard("w0", NOW + 10, 30, aging_seconds=60)
    assert early is not None and early.shard.batch_id == huge.id  # not waited long yet
    aged = store.claim_shard("w1", NOW + 61, 30, aging_seconds=60)
    assert aged is not None and aged.shard.batch_id == small.id
    # A batch that has a shard claimed is no longer waiting: EDF again.
    after = store.claim_shard("w2", NOW + 62, 30, aging_seconds=60)
    assert after is not None and after.shard.batch_id == huge.id


@pytest.mark.parametrize(
    ("order", "first"), [(ClaimOrder.FIFO, "old"), (ClaimOrder.DEADLINE, "urgent")]
)
def test_the_baseline_orders_ignore_projects(store: Store, order: ClaimOrder, first: str) -> None:
    made = {
        "old": started(store, "a", 2, expires_in=3600),
        "urgent": started(store, "b", 2, expires_in=600),
    }
    busy = store.claim_shard("w0", NOW, 30, order=order)
    again = store.claim_shard("w1", NOW, 30, order=order)
    assert busy is not None and again is not None
    # Neither moves to the other project because one is running: no fair share.
    assert busy.shard.batch_id == again.shard.batch_id == made[first].id


def test_a_batch_given_up_on_still_gets_a_shard_by_aging_but_no_more(store: Store) -> None:
    first = started(store, "p", 5, expires_in=600)
    doomed = started(store, "p", 3, expires_in=3600)
    mark_at_risk(store, doomed)
    running = store.claim_shard("w", NOW, 30, aging_seconds=60)
    assert running is not None and running.shard.batch_id == first.id  # now started
    aged = store.claim_shard("w0", NOW + 61, 30, aging_seconds=60)
    assert aged is not None and aged.shard.batch_id == doomed.id
    after = store.claim_shard("w1", NOW + 62, 30, aging_seconds=60)
    assert after is not None and after.shard.batch_id == first.id and not after.given_up


def test_a_batch_the_plan_finishes_in_time_is_not_pushed_by_aging(store: Store) -> None:
    # Aging every batch of an overloaded queue that waited would make the queue FIFO;
    # the plan already starts a batch it keeps soon enough.
    urgent = started(store, "p", 5, expires_in=600)
    loose = started(store, "p", 1, expires_in=3600)
    store.monitor.record_progress([(loose.id, 0)], NOW, 300)
    assert store.plans.record({loose.id: (NOW + 1800, None, False)}, NOW) == 1
    claim = store.claim_shard("w", NOW + 61, 30, aging_seconds=60)
    assert claim is not None and claim.shard.batch_id == urgent.id


def test_a_batch_given_up_on_yields_to_another_projects_batch(store: Store) -> None:
    # Project a runs nothing, so fair share alone would serve it first; its only batch is
    # given up on, so b's batch that can still finish takes the slot.
    doomed = started(store, "a", 3, expires_in=600)
    theirs = started(store, "b", 3, expires_in=3600)
    mark_at_risk(store, doomed)
    claims = claim_many(store, 4)
    assert [c.shard.batch_id for c in claims] == [theirs.id] * 3 + [doomed.id]
    assert [c.given_up for c in claims] == [False] * 3 + [True]


def test_an_urgent_batch_goes_before_the_shares(store: Store) -> None:
    busy = started(store, "a", 3, expires_in=3600)
    tight = started(store, "b", 3, expires_in=600)
    store.monitor.record_progress([(tight.id, 0)], NOW, 300)
    assert store.plans.record({tight.id: (NOW + 500, None, True)}, NOW) == 1
    # b runs more than a by then, yet its urgent batch keeps going first; then a's.
    claims = [c.shard.batch_id for c in claim_many(store, 4)]
    assert claims == [tight.id] * 3 + [busy.id]


def test_a_full_engine_takes_only_projects_that_run_nothing(store: Store) -> None:
    heavy = started(store, "heavy", 5)
    light = started(store, "light", 2)
    held = store.claim_shard("w0", NOW, 30, None, None, idle_projects_only=True)
    assert held is not None  # nothing runs: any project is idle
    extra = store.claim_shard("w1", NOW, 30, None, None, idle_projects_only=True)
    assert extra is not None and extra.shard.batch_id != held.shard.batch_id
    assert store.claim_shard("w2", NOW, 30, None, None, idle_projects_only=True) is None
    assert {held.shard.batch_id, extra.shard.batch_id} == {heavy.id, light.id}
