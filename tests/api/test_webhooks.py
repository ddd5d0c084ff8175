"""`client.webhooks.*` against the live API, in strict mode, and `/metrics` of an API
process with no engine (its gauges come from the store)."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI
from prometheus_client.parser import text_string_to_metric_families
from tests.receiver import Receiver

from batchyard.records import ShardRecord

from .support import OWNER, LiveServer, assert_error, create_batch

BATCH_EVENTS: Any = ["batch.completed", "batch.failed", "batch.expired", "batch.cancelled"]
URL = "https://hooks.example.com/batchyard"


def test_create_list_retrieve_update_delete(client: OpenAI) -> None:
    created = client.webhooks.create(name="ops", url=URL, event_types=["batch.completed"])
    assert created.id.startswith("we_") and created.object == "webhook_endpoint"
    assert created.signing_secret.startswith("whsec_")
    assert created.signing_secret_hint == "whsec_..." + created.signing_secret[-4:]
    assert created.updated_at == created.created_at
    other = client.webhooks.create(name="all", url=URL, event_types=BATCH_EVENTS)

    fetched = client.webhooks.retrieve(created.id)
    assert "signing_secret" not in fetched.model_dump()
    assert (fetched.name, fetched.url, fetched.event_types) == ("ops", URL, ["batch.completed"])
    assert [e.id for e in client.webhooks.list(limit=1)] == [other.id, created.id]

    same = client.webhooks.update(created.id, name="ops")
    assert same.updated_at == created.updated_at, "an unchanged update does not advance it"
    changed = client.webhooks.update(created.id, event_types=["batch.failed", "batch.failed"])
    assert changed.event_types == ["batch.failed"] and changed.name == "ops"

    deleted = client.webhooks.delete(created.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (
        created.id,
        True,
        "webhook_endpoint.deleted",
    )
    with pytest.raises(openai.NotFoundError) as exc:
        client.webhooks.retrieve(created.id)
    assert exc.value.param == "webhook_endpoint_id"
    assert [e.id for e in client.webhooks.list()] == [other.id]
    assert client.webhooks.event_types.list().data == BATCH_EVENTS


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"name": "x", "url": "http://hooks.example.com/", "event_types": ["batch.failed"]},
         "url", "invalid_url"),
        ({"name": "x", "url": "ftp://127.0.0.1/", "event_types": ["batch.failed"]},
         "url", "invalid_url"),
        ({"name": "x", "url": "https://u:p@example.com/", "event_types": ["batch.failed"]},
         "url", "invalid_url"),
        ({"name": "x", "url": URL, "event_types": ["response.completed"]},
         "event_types", "invalid_value"),
        ({"name": "x", "url": URL, "event_types": []}, "event_types", "invalid_value"),
        ({"name": " ", "url": URL, "event_types": ["batch.failed"]}, "name", "invalid_value"),
        ({"url": URL, "event_types": ["batch.failed"]}, "name", "missing_required_parameter"),
        ({"name": "x", "url": URL, "event_types": "batch.failed"}, "event_types", "invalid_type"),
    ],
)  # fmt: skip
def test_bad_endpoints_are_400(
    raw: httpx.Client, body: dict[str, Any], param: str, code: str
) -> None:
    assert_error(raw.post("/v1/webhook_endpoints", json=body), 400, code=code, param=param)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://127.0.0.1/hook", "a loopback address"),
        ("https://localhost/hook", "a loopback address"),  # resolved: /etc/hosts
        ("http://[::1]:8080/hook", "a loopback address"),
        ("https://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("https://10.0.0.5/hook", "a private address"),
        ("https://[::ffff:192.168.1.1]/hook", "a private address"),
    ],
)
def test_urls_that_point_inward_are_refused_unless_allowed(
    raw: httpx.Client, client: OpenAI, url: str, kind: str
) -> None:
    body = {"name": "x", "url": url, "event_types": ["batch.failed"]}
    response = raw.post("/v1/webhook_endpoints", json=body)
    assert_error(response, 400, code="invalid_url", param="url")
    assert kind in response.json()["error"]["message"]
    assert "allowed_networks" in response.json()["error"]["message"]
    hook = client.webhooks.create(name="ok", url=URL, event_types=["batch.failed"])
    response = raw.post(f"/v1/webhook_endpoints/{hook.id}", json={"url": url})
    assert_error(response, 400, code="invalid_url", param="url")
    assert client.webhooks.retrieve(hook.id).url == URL


@pytest.mark.webhook_networks("127.0.0.0/8")
def test_allowed_networks_let_their_addresses_in_and_no_others(raw: httpx.Client) -> None:
    body = {"name": "x", "url": "https://localhost/hook", "event_types": ["batch.failed"]}
    assert raw.post("/v1/webhook_endpoints", json=body).status_code == 200
    body["url"] = "https://10.0.0.5/hook"
    assert_error(raw.post("/v1/webhook_endpoints", json=body), 400, code="invalid_url")


@pytest.mark.webhook_networks("127.0.0.0/8")
def test_test_rechecks_the_address_when_the_policy_tightened(
    client: OpenAI, server: LiveServer
) -> None:
    with Receiver().running() as receiver:
        hook = client.webhooks.create(name="t", url=receiver.url, event_types=BATCH_EVENTS)
        server.settings.webhooks.allowed_networks.clear()  # as a restart with a stricter config
        with pytest.raises(openai.BadRequestError) as exc:
            client.webhooks.test(hook.id, event_type="batch.completed")
    assert exc.value.code == "invalid_url" and "loopback" in exc.value.message
    assert receiver.deliveries == []


def test_unknown_endpoints_are_404(raw: httpx.Client) -> None:
    for method, path in [
        ("GET", "/v1/webhook_endpoints/we_nope"),
        ("POST", "/v1/webhook_endpoints/we_nope/rotate_secret"),
        ("DELETE", "/v1/webhook_endpoints/we_nope"),
    ]:
        assert_error(raw.request(method, path, json={}), 404, param="webhook_endpoint_id")


@pytest.mark.webhook_networks("127.0.0.0/8")
def test_test_sends_a_signed_sample_and_rotation_keeps_the_old_secret_if_asked(
    client: OpenAI,
) -> None:
    answers = iter([204, 500, 200])
    with Receiver(lambda _d, _n: next(answers)).running() as receiver:
        hook = client.webhooks.create(name="t", url=receiver.url, event_types=BATCH_EVENTS)
        result = client.webhooks.test(hook.id, event_type="batch.expired")
        assert (result.status_code, result.success, result.event_type) == (
            204,
            True,
            "batch.expired",
        )
        assert result.webhook_endpoint_id == hook.id and result.object == "webhook_endpoint.test"
        kept = client.webhooks.rotate_secret(hook.id, keep_old_secret_active_for_24_hours=True)
        assert kept.signing_secret != hook.signing_secret
        assert client.webhooks.test(hook.id, event_type="batch.failed").status_code == 500
        dropped = client.webhooks.rotate_secret(hook.id)
        assert client.webhooks.test(hook.id, event_type="batch.completed").status_code == 200

    first, second, third = receiver.deliveries
    event = client.webhooks.unwrap(first.body, first.headers, secret=hook.signing_secret)
    assert event.type == "batch.expired" and event.data.id.startswith("batch_")
    for secret in (hook.signing_secret, kept.signing_secret):
        event = client.webhooks.unwrap(second.body, second.headers, secret=secret)
        assert event.type == "batch.failed"
    event = client.webhooks.unwrap(third.body, third.headers, secret=dropped.signing_secret)
    assert event.type == "batch.completed"
    for secret in (hook.signing_secret, kept.signing_secret):
        with pytest.raises(openai.InvalidWebhookSignatureError):
            client.webhooks.unwrap(third.body, third.headers, secret=secret)


@pytest.mark.webhook_networks("127.0.0.0/8")
def test_test_of_an_unreachable_endpoint_is_400(client: OpenAI) -> None:
    hook = client.webhooks.create(name="t", url="http://127.0.0.1:9/", event_types=BATCH_EVENTS)
    with pytest.raises(openai.BadRequestError) as exc:
        client.webhooks.test(hook.id, event_type="batch.completed")
    assert exc.value.code == "webhook_unreachable"


def test_metrics_of_an_api_process_come_from_the_store(
    client: OpenAI, server: LiveServer, raw: httpx.Client
) -> None:
    create_batch(client)
    running = create_batch(client)
    store = server.store
    claimed = store.claim_validation(OWNER, 0, 30)
    assert claimed is not None
    shard = ShardRecord(claimed.id, index=0, first_line=1, last_line=7, start=0, end=1, requests=7)
    store.start_batch(claimed.id, OWNER, "batchyard-mock", [shard], 0)
    assert claimed.id != running.id, "the older batch is claimed first"

    response = raw.get("/metrics")
    assert response.status_code == 200
    samples = {
        (s.name, tuple(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }
    assert samples[("batchyard_batches", (("status", "validating"),))] == 1
    assert samples[("batchyard_batches", (("status", "in_progress"),))] == 1
    assert samples[("batchyard_queue_lines", (("model", "batchyard-mock"),))] == 7
    assert samples[("batchyard_webhook_deliveries_pending", ())] == 0
