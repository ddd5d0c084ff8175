"""A batch that cannot finish in its window says so, and yields to one that can.

One steady mock model finishes about 40 lines a second. A big batch whose window is
far too short for it has the earliest deadline, so earliest-deadline-first alone would
run it to the end and make the small batch sent after it wait. The monitor's plan flags
the big one `at_risk` with a reason; the claim then runs the small one first.
"""

from __future__ import annotations

import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tests.e2e.conftest import ServerFactory, chat_lines, wait_for

pytestmark = pytest.mark.slow

MODEL = {"name": "steady", "backend": "mock", "latency_ms": 100, "max_group": 1}


def test_an_infeasible_batch_is_flagged_and_yields_to_a_feasible_one(
    make_server: ServerFactory,
) -> None:
    server = make_server(
        models=[{**MODEL, "max_concurrency": 4}],
        monitor={"interval_seconds": 0.2, "plan_margin_seconds": 1},
        engine={"shard_lines": 20, "active_shards": 2},
        limits={"completion_windows": ["24h", "15s", "60s"]},
    )
    client = server.client(_strict_response_validation=True)

    def start(lines: int, window: str, prefix: str) -> str:
        data = chat_lines(lines, model="steady", prefix=prefix)
        file = client.files.create(file=("in.jsonl", data), purpose="batch")
        return client.batches.create(
            input_file_id=file.id, endpoint="/v1/chat/completions", completion_window=window
        ).id

    big = start(2000, "15s", "big")  # ~50 s of work in a 15 s window
    deadline = time.monotonic() + 20
    while True:
        fields = client.batches.retrieve(big).model_extra["batchyard"]
        # Its own pace may flag it first; the monitor's plan names the model's throughput.
        if "steady" in (fields["at_risk_reason"] or "") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert fields["at_risk"] is True, fields
    reason = fields["at_risk_reason"]
    assert "steady" in reason and "lines/s" in reason and "after it expires" in reason
    assert fields["eta"] > client.batches.retrieve(big).expires_at

    small = start(80, "60s", "small")  # a later deadline: EDF alone would run it last
    done = wait_for(client, small, {"completed"}, timeout=30)
    assert done.request_counts.completed == 80
    assert done.model_extra["batchyard"]["at_risk"] is False
    running = client.batches.retrieve(big)
    assert running.status == "in_progress" and running.request_counts.completed < 2000

    scrape = httpx.get(server.base_url.removesuffix("/v1") + "/metrics", timeout=10).text
    at_risk = {
        s.labels["model"]: s.value
        for family in text_string_to_metric_families(scrape)
        if family.name == "batchyard_batches_at_risk"
        for s in family.samples
    }
    assert at_risk == {"steady": 1}
