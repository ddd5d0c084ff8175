"""Events and the webhook outbox through the store's interface, on SQLite and PostgreSQL."""

from __future__ import annotations

import orjson
import pytest
from tests.store.factories import NOW, add_batch, add_file

from batchyard import ids
from batchyard.records import (
    BatchStatus,
    DueDelivery,
    ShardProgress,
    ShardRecord,
    StopReason,
    Usage,
    WebhookEndpointRecord,
)
from batchyard.store import Store

ME = "worker-a"


def endpoint(store: Store, project: str = "p", types: list[str] | None = None) -> str:
    record = WebhookEndpointRecord(
        id=ids.webhook_endpoint_id(),
        project=project,
        name="n",
        url="https://example.com/hook",
        event_types=types or ["batch.completed", "batch.failed", "batch.cancelled"],
        secret="whsec_c2VjcmV0",
        created_at=NOW,
        updated_at=NOW,
    )
    store.webhooks.add_endpoint(record)
    return record.id


def batch(store: Store) -> str:
    return add_batch(store, add_file(store).id).id


def run_to_finalizing(store: Store, batch_id: str) -> None:
    assert store.claim_validation(ME, NOW, 30) is not None
    shard = ShardRecord(batch_id, 0, 1, 2, 0, 10, requests=2)
    store.start_batch(batch_id, ME, "m", [shard], NOW)
    claim = store.claim_shard(ME, NOW, 30)
    assert claim is not None
    store.checkpoint_shard(claim.shard, ShardProgress(completed=2), NOW, 30, done=True)


def finish(store: Store, batch_id: str) -> BatchStatus | None:
    assert store.claim_finalization(ME, NOW, 30) is not None
    return store.finish_batch(
        batch_id,
        ME,
        output_file=None,
        error_file=None,
        completed=2,
        failed=0,
        usage=Usage(),
        now=NOW,
    )


def due(store: Store, now: float = NOW + 1) -> list[DueDelivery]:
    return store.webhooks.claim_due(ME, now, 30, 100)


def test_each_terminal_transition_queues_one_event_per_subscribed_endpoint(store: Store) -> None:
    everything = endpoint(store)
    failures_only = endpoint(store, types=["batch.failed"])
    endpoint(store, project="other")
    completed, failed, cancelled = batch(store), batch(store), batch(store)

    run_to_finalizing(store, completed)
    assert finish(store, completed) is BatchStatus.COMPLETED
    assert finish_again_is_refused(store, completed)
    assert store.claim_validation(ME, NOW, 30) is not None
    store.fail_validation(failed, ME, [{"code": "x", "message": "m"}], NOW)
    store.fail_validation(failed, ME, [{"code": "x", "message": "m"}], NOW)  # a no-op
    store.request_cancel("p", cancelled, NOW)
    assert store.claim_validation(ME, NOW, 30) is not None
    store.cancel_unstarted(cancelled, ME, NOW)
    store.cancel_unstarted(cancelled, ME, NOW)  # a no-op

    sent = due(store)
    got = sorted((d.endpoint_id, orjson.loads(d.payload)["type"]) for d in sent)
    assert got == sorted(
        [
            (everything, "batch.completed"),
            (everything, "batch.failed"),
            (everything, "batch.cancelled"),
            (failures_only, "batch.failed"),
        ]
    )
    for delivery in sent:
        payload = orjson.loads(delivery.payload)
        assert set(payload) == {"id", "object", "created_at", "type", "data"}
        assert payload["created_at"] == NOW and delivery.id.startswith("wh_")
    assert due(store) == [], "claimed deliveries are not handed out twice"


def finish_again_is_refused(store: Store, batch_id: str) -> bool:
    return store.finish_batch(
        batch_id, ME, output_file=None, error_file=None, completed=0, failed=0,
        usage=Usage(), now=NOW,
    ) is None  # fmt: skip


def test_retry_deliver_abandon_and_lost_claims(store: Store) -> None:
    endpoint(store)
    batch_id = batch(store)
    run_to_finalizing(store, batch_id)
    finish(store, batch_id)
    (first,) = due(store)
    assert first.attempts == 1
    assert store.webhooks.settle(
        first, status_code=500, error="http_500", now=NOW, retry_at=NOW + 9
    )
    assert store.webhooks.pending_deliveries() == 1 and store.webhooks.next_due() == NOW + 9
    assert due(store, NOW + 8) == []
    (second,) = due(store, NOW + 9)
    assert (second.id, second.attempts) == (first.id, 2)
    assert not store.webhooks.settle(first, status_code=200, error=None, now=NOW, retry_at=None)
    assert store.webhooks.settle(second, status_code=204, error=None, now=NOW, retry_at=None)
    assert store.webhooks.pending_deliveries() == 0 and due(store, NOW + 10**6) == []


def test_a_dead_workers_claims_are_released_and_deletion_abandons(store: Store) -> None:
    hook = endpoint(store)
    batch_id = batch(store)
    run_to_finalizing(store, batch_id)
    finish(store, batch_id)
    assert len(due(store)) == 1
    assert store.webhooks.claimers() == {ME}
    store.webhooks.release_claims({ME}, NOW + 2)
    (again,) = due(store, NOW + 2)
    assert again.attempts == 2
    assert store.webhooks.delete_endpoint("p", hook, NOW)
    assert not store.webhooks.settle(again, status_code=200, error=None, now=NOW, retry_at=None)
    assert store.webhooks.pending_deliveries() == 0
    assert not store.webhooks.delete_endpoint("p", hook, NOW)


@pytest.mark.parametrize(
    ("reason", "status", "event"),
    [
        (StopReason.COST_CAP, BatchStatus.CANCELLED, "batch.cancelled"),
        (StopReason.ERROR_RATE, BatchStatus.FAILED, "batch.failed"),
    ],
)
def test_an_early_stop_ends_the_batch_with_its_reason(
    store: Store, reason: StopReason, status: BatchStatus, event: str
) -> None:
    endpoint(store)
    batch_id = batch(store)
    assert store.claim_validation(ME, NOW, 30) is not None
    store.start_batch(batch_id, ME, "m", [ShardRecord(batch_id, 0, 1, 2, 0, 10, 2)], NOW)
    (running,) = store.monitor.running_batches()
    assert (running.id, running.total, running.completed) == (batch_id, 2, 0)
    error = {"code": "why", "message": "because", "param": None, "line": None}
    assert store.monitor.stop_batch(batch_id, reason, error, NOW)
    assert not store.monitor.stop_batch(batch_id, StopReason.COST_CAP, error, NOW)
    assert store.monitor.running_batches() == []
    assert finish(store, batch_id) is status
    record = store.get_batch("p", batch_id)
    assert record is not None and record.errors == [error] and record.stop_reason is reason
    assert [orjson.loads(d.payload)["type"] for d in due(store)] == [event]


def test_progress_marks_slide_by_window(store: Store) -> None:
    store.monitor.record_progress([("b1", 10)], 100.0, 60)
    store.monitor.record_progress([("b1", 20)], 130.0, 60)
    marks = store.monitor.progress_of(["b1"])["b1"]
    assert (marks.since_at, marks.since_finished, marks.mark_at) == (100.0, 10, 100.0)
    store.monitor.record_progress([("b1", 70)], 160.0, 60)
    marks = store.monitor.progress_of(["b1"])["b1"]
    assert (marks.since_at, marks.since_finished, marks.mark_at, marks.mark_finished) == (
        100.0,
        10,
        160.0,
        70,
    )
    store.monitor.record_progress([("b1", 90)], 230.0, 60)
    marks = store.monitor.progress_of(["b1"])["b1"]
    assert (marks.since_at, marks.since_finished) == (160.0, 70)
