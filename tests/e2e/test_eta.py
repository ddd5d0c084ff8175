"""The ETA of a running batch, measured against when it really ended.

A steady mock (fixed latency, one request per call, fixed concurrency) finishes
about 40 lines a second. At half way the estimate must be within 25% of the
time that was really left; a second batch whose window is too short for it must
be flagged at risk while it runs.
"""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest
from tests.e2e.conftest import ServerFactory, chat_lines

pytestmark = pytest.mark.slow

STEADY = {"backend": "mock", "latency_ms": 100, "max_group": 1, "max_concurrency": 4}
MODELS = [{"name": "steady", **STEADY}, {"name": "late", **STEADY}]
LINES = 400


def start(client: openai.OpenAI, data: bytes, window: str) -> str:
    file = client.files.create(file=("in.jsonl", data), purpose="batch")
    return client.batches.create(
        input_file_id=file.id, endpoint="/v1/chat/completions", completion_window=window
    ).id


def test_eta_at_half_way_is_within_a_quarter_of_the_real_end(make_server: ServerFactory) -> None:
    server = make_server(
        models=MODELS,
        monitor={"interval_seconds": 0.2},
        limits={"completion_windows": ["24h", "4s"]},
    )
    client = server.client(_strict_response_validation=True)
    batch_id = start(client, chat_lines(LINES, model="steady"), "24h")
    late_id = start(client, chat_lines(LINES, model="late"), "4s")

    half: tuple[float, Any] | None = None
    flagged: dict[str, Any] | None = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batch = client.batches.retrieve(batch_id)
        now = time.time()
        if batch.status == "completed":
            break
        counts = batch.request_counts
        if half is None and counts and counts.completed >= LINES // 2:
            half = (now, batch.model_extra["batchyard"])
        if flagged is None:
            late = client.batches.retrieve(late_id)
            if late.status == "in_progress" and late.model_extra["batchyard"]["at_risk"]:
                flagged = late.model_extra["batchyard"]
        time.sleep(0.1)
    ended = time.time()
    assert half is not None, "the batch never reached half way while watched"
    measured_at, fields = half
    error = abs(fields["eta"] - ended) / (ended - measured_at)
    print(
        f"\nETA at 50%: {fields['eta'] - measured_at:.2f} s left estimated, "
        f"{ended - measured_at:.2f} s real; error {error:.1%} of the time left"
    )
    assert error <= 0.25
    assert fields["at_risk"] is False and fields["lines_per_second"] > 0
    # Flagged while it runs, by the monitor's plan: the reason names the model's measured
    # throughput, the verdict the claim acts on, not a second estimate of its own.
    assert flagged is not None and flagged["at_risk"] is True
    assert "late's measured" in flagged["at_risk_reason"]
    assert flagged["eta"] > client.batches.retrieve(late_id).expires_at
    finished = client.batches.retrieve(batch_id).model_extra["batchyard"]
    assert finished["eta"] is None and finished["at_risk"] is False
