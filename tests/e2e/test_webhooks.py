"""Webhooks end to end: a real `batchyard serve`, a real receiver, the SDK's own `unwrap`.

Each terminal transition must reach each subscribed endpoint exactly once after
retries, keep its `webhook-id` across retries, and survive a SIGKILL of the
server in the middle of retrying.
"""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest
from openai.types.webhooks import WebhookEndpointWithSecret
from tests.e2e.conftest import ServerFactory, chat_lines, wait_for
from tests.e2e.test_metrics import scrape
from tests.receiver import Delivery, Receiver

pytestmark = pytest.mark.slow

# Short backoff so retries happen within a test; the receiver stalls past the timeout.
WEBHOOKS = {
    "retry_base_seconds": 0.2,
    "retry_max_seconds": 0.5,
    "poll_seconds": 0.05,
    "timeout_seconds": 1.0,
    "allowed_networks": ["127.0.0.0/8"],  # the receivers are on loopback
}
MODELS = [
    {"name": "batchyard-mock", "backend": "mock", "max_concurrency": 64},
    {"name": "slow", "backend": "mock", "latency_ms": 200, "max_group": 1, "max_concurrency": 1},
]
ALL_EVENTS: Any = ["batch.completed", "batch.failed", "batch.expired", "batch.cancelled"]
ABANDONED = (("outcome", "abandoned"),)


def subscribe(client: openai.OpenAI, receiver: Receiver, events: Any) -> WebhookEndpointWithSecret:
    return client.webhooks.create(name="test", url=receiver.url, event_types=events)


def start(client: openai.OpenAI, data: bytes, window: str = "24h") -> str:
    file = client.files.create(file=("in.jsonl", data), purpose="batch")
    batch = client.batches.create(
        input_file_id=file.id, endpoint="/v1/chat/completions", completion_window=window
    )
    return batch.id


def unwrap(client: openai.OpenAI, delivery: Delivery, secret: str) -> Any:
    return client.webhooks.unwrap(delivery.body, delivery.headers, secret=secret)


def test_every_terminal_transition_reaches_each_endpoint_once(
    make_server: ServerFactory,
) -> None:
    with Receiver().running() as everything, Receiver().running() as completions:
        server = make_server(
            models=MODELS, webhooks=WEBHOOKS, limits={"completion_windows": ["24h", "3s"]}
        )
        client = server.client(_strict_response_validation=True)
        all_hook = subscribe(client, everything, ALL_EVENTS)
        done_hook = subscribe(client, completions, ["batch.completed"])

        completed = start(client, chat_lines(3))
        failed = start(client, b'{"custom_id": "x"}\n')
        expired = start(client, chat_lines(40, model="slow", prefix="e"), window="3s")
        cancelled = start(client, chat_lines(40, model="slow", prefix="c"))
        wait_for(client, cancelled, {"in_progress"})
        client.batches.cancel(cancelled)
        expected = {
            completed: "batch.completed",
            failed: "batch.failed",
            expired: "batch.expired",
            cancelled: "batch.cancelled",
        }
        for batch_id, event_type in expected.items():
            assert wait_for(client, batch_id, {event_type.split(".")[1]}, timeout=30)

        everything.wait(lambda: len(everything.accepted()) >= 4)
        completions.wait(lambda: len(completions.accepted()) >= 1)
        time.sleep(1.0)  # long enough for a duplicate to show up, if one were coming
        seen = {}
        for delivery in everything.accepted():
            event = unwrap(client, delivery, all_hook.signing_secret)
            assert event.data.id not in seen, "two deliveries of one transition"
            seen[event.data.id] = event.type
            assert event.object == "event" and event.id.startswith("evt_")
            assert delivery.headers["content-type"] == "application/json"
        assert seen == expected
        assert len(everything.deliveries) == 4
        (only,) = completions.deliveries
        event = unwrap(client, only, done_hook.signing_secret)
        assert (event.type, event.data.id) == ("batch.completed", completed)
        ids = [d.webhook_id for d in [*everything.deliveries, only]]
        assert len(set(ids)) == 5, "each event and endpoint has its own webhook-id"
        with pytest.raises(openai.InvalidWebhookSignatureError):
            unwrap(client, only, all_hook.signing_secret)


def test_retries_keep_the_webhook_id_and_survive_a_restart(make_server: ServerFactory) -> None:
    healthy = False

    def answer(_delivery: Delivery, count: int) -> int | float:
        if healthy:
            return 200
        return 1.5 if count == 0 else 500  # first a stall past the timeout, then errors

    with Receiver(answer).running() as receiver:
        server = make_server(webhooks=WEBHOOKS)
        client = server.client()
        hook = subscribe(client, receiver, ALL_EVENTS)
        batch_id = start(client, chat_lines(2))
        wait_for(client, batch_id, {"completed"})
        receiver.wait(lambda: len(receiver.deliveries) >= 4)
        server.kill()
        failures_before_restart = len(receiver.deliveries)
        healthy = True
        restarted = make_server(webhooks=WEBHOOKS)
        receiver.wait(lambda: len(receiver.accepted()) == 1)
        time.sleep(1.0)
        client = restarted.client()

    assert failures_before_restart >= 4
    assert len(receiver.accepted()) == 1
    assert {d.webhook_id for d in receiver.deliveries} == {receiver.deliveries[0].webhook_id}
    assert receiver.deliveries[-1].status == 200, "nothing was sent after the 2xx"
    timestamps = [int(d.headers["webhook-timestamp"]) for d in receiver.deliveries]
    assert timestamps == sorted(timestamps)
    event = unwrap(client, receiver.accepted()[0], hook.signing_secret)
    assert (event.type, event.data.id) == ("batch.completed", batch_id)


def test_endpoint_changes_apply_to_retries_and_deletion_stops_them(
    make_server: ServerFactory,
) -> None:
    with Receiver(lambda _d, _n: 503).running() as broken, Receiver().running() as fixed:
        server = make_server(webhooks=WEBHOOKS)
        client = server.client()
        hook = subscribe(client, broken, ALL_EVENTS)
        gone = subscribe(client, broken, ALL_EVENTS)
        batch_id = start(client, chat_lines(1))
        wait_for(client, batch_id, {"completed"})
        broken.wait(lambda: len(broken.deliveries) >= 4)
        client.webhooks.delete(gone.id)
        rotated = client.webhooks.rotate_secret(hook.id)
        client.webhooks.update(hook.id, url=fixed.url)
        fixed.wait(lambda: len(fixed.accepted()) == 1)
        settled = len(broken.deliveries)
        time.sleep(1.0)

    assert len(broken.deliveries) == settled, "the deleted endpoint was still retried"
    (delivery,) = fixed.deliveries
    event = unwrap(client, delivery, rotated.signing_secret)
    assert event.data.id == batch_id
    with pytest.raises(openai.InvalidWebhookSignatureError):
        unwrap(client, delivery, hook.signing_secret)


def test_a_send_rechecks_the_address_and_abandons_one_now_refused(
    make_server: ServerFactory,
) -> None:
    """Saved while loopback was allowed; the server restarts without that, and never sends."""
    with Receiver().running() as receiver:
        first = make_server(webhooks=WEBHOOKS)
        subscribe(first.client(), receiver, ALL_EVENTS)
        assert first.stop() == 0
        stricter = {k: v for k, v in WEBHOOKS.items() if k != "allowed_networks"}
        server = make_server(webhooks=stricter)
        client = server.client()
        batch_id = start(client, chat_lines(1))
        wait_for(client, batch_id, {"completed"})
        deadline = time.monotonic() + 30
        while scrape(server).get(("batchyard_webhook_deliveries_total", ABANDONED), 0) < 1:
            assert time.monotonic() < deadline, "the delivery was not abandoned"
            time.sleep(0.1)
        time.sleep(0.5)  # no retry is coming
    assert receiver.deliveries == []
    assert scrape(server).get(("batchyard_webhook_deliveries_total", ABANDONED)) == 1
