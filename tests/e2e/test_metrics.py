"""`/metrics` of a real server, scraped and parsed with prometheus_client's own parser."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tests.e2e.conftest import Server, ServerFactory, chat_lines, wait_for
from tests.receiver import Receiver

pytestmark = pytest.mark.slow

FLAKY = {"name": "flaky", "backend": "mock", "transient_error_rate": 0.3, "seed": 7, "max_group": 1}


def scrape(server: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(server.base_url.removesuffix("/v1") + "/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_count_lines_upstream_answers_retries_and_deliveries(
    make_server: ServerFactory,
) -> None:
    with Receiver().running() as receiver:
        server = make_server(
            models=[FLAKY],
            engine={"retry_base_seconds": 0.01, "retry_max_seconds": 0.05},
            webhooks={"poll_seconds": 0.05, "allowed_networks": ["127.0.0.0/8"]},
        )
        client = server.client()
        client.webhooks.create(name="m", url=receiver.url, event_types=["batch.completed"])
        bad = client.files.create(file=("bad.jsonl", b"{}\n"), purpose="batch")
        client.batches.create(
            input_file_id=bad.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        file = client.files.create(
            file=("in.jsonl", chat_lines(50, model="flaky")), purpose="batch"
        )
        batch = client.batches.create(
            input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        wait_for(client, batch.id, {"completed"})
        receiver.wait(lambda: len(receiver.accepted()) == 1)
        samples = scrape(server)

    def value(name: str, **labels: str) -> float:
        return samples.get((name, tuple(sorted(labels.items()))), 0.0)

    assert value("batchyard_batches", status="completed") == 1
    assert value("batchyard_batches", status="failed") == 1
    assert value("batchyard_batches", status="in_progress") == 0
    assert value("batchyard_lines_total", model="flaky", outcome="completed") == 50
    answered = value("batchyard_upstream_responses_total", model="flaky", status="200")
    unavailable = value("batchyard_upstream_responses_total", model="flaky", status="503")
    assert answered == 50 and unavailable > 0
    assert value("batchyard_upstream_retries_total", model="flaky") == unavailable
    assert value("batchyard_upstream_latency_seconds_count", model="flaky") == 50 + unavailable
    assert value("batchyard_webhook_deliveries_total", outcome="delivered") == 1
    assert value("batchyard_webhook_deliveries_pending") == 0
    assert ("batchyard_queue_lines", (("model", "flaky"),)) not in samples
