"""Cost on every batch, the per-batch cost cap, and the error-rate breaker, end to end.

The mock counts words as tokens: each `chat_lines` request ("say <i>") is 2 input
and 2 output tokens, so the arithmetic can be checked against the batch's usage.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from tests.e2e.conftest import ServerFactory, chat_lines, results, wait_for

pytestmark = pytest.mark.slow

PRICE = {"input_per_1m": 1000.0, "output_per_1m": 4000.0, "batch_discount_factor": 0.5}
MODELS = [
    {"name": "batchyard-mock", "backend": "mock", "max_concurrency": 64},
    {"name": "slow", "backend": "mock", "latency_ms": 50, "max_group": 1, "max_concurrency": 2},
    {
        "name": "broken",
        "backend": "mock",
        "error_rate": 1.0,
        "latency_ms": 20,
        "max_group": 1,
        "max_concurrency": 1,
    },
]
MONITOR = {"interval_seconds": 0.2, "breaker_lines": 20, "breaker_max_error_share": 0.5}


@pytest.fixture
def client(make_server: ServerFactory) -> openai.OpenAI:
    server = make_server(
        models=MODELS,
        monitor=MONITOR,
        prices=[{"model": "batchyard-mock", **PRICE}, {"model": "slow", **PRICE}],
    )
    return server.client(_strict_response_validation=True)


def start(client: openai.OpenAI, data: bytes, metadata: dict[str, str] | None = None) -> str:
    file = client.files.create(file=("in.jsonl", data), purpose="batch")
    return client.batches.create(
        input_file_id=file.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata=metadata,
    ).id


def extra(batch: Any) -> dict[str, Any]:
    fields: dict[str, Any] = batch.model_extra["batchyard"]
    return fields


def every_line_once(client: openai.OpenAI, batch: Any) -> list[dict[str, Any]]:
    lines = results(client, batch.output_file_id) + results(client, batch.error_file_id)
    ids = [line["custom_id"] for line in lines]
    assert len(ids) == len(set(ids)) == batch.request_counts.total
    return results(client, batch.error_file_id)


def test_a_batch_reports_its_cost_and_a_cap_needs_a_price_and_a_number(
    client: openai.OpenAI,
) -> None:
    unpriced = start(client, chat_lines(2, model="broken"), {"batchyard_max_cost_usd": "1"})
    batch = wait_for(client, start(client, chat_lines(10)), {"completed"})
    usage = batch.usage
    assert (usage.input_tokens, usage.output_tokens) == (20, 20)
    sync = (usage.input_tokens * 1000.0 + usage.output_tokens * 4000.0) / 1_000_000
    cost = extra(batch)["cost"]
    assert cost["synchronous"] == pytest.approx(sync) == pytest.approx(0.1)
    assert cost["batch"] == pytest.approx(sync * 0.5)
    assert cost["savings"] == pytest.approx(sync * 0.5)
    assert (cost["currency"], cost["cap"]) == ("usd", None)
    assert extra(batch)["stop_reason"] is None and batch.errors is None

    batch = wait_for(client, unpriced, {"failed"})
    assert batch.errors is not None and batch.errors.data[0].code == "cost_cap_unpriced"
    assert batch.in_progress_at is None
    with pytest.raises(openai.BadRequestError) as exc:
        start(client, chat_lines(1), {"batchyard_max_cost_usd": "ten dollars"})
    assert exc.value.param == "metadata.batchyard_max_cost_usd"


def test_the_cap_cancels_and_the_breaker_fails_a_batch_with_its_reason(
    client: openai.OpenAI,
) -> None:
    # 0.005 USD per line at the batch price: the cap is reached after 50 of 200 lines.
    capped_id = start(client, chat_lines(200, model="slow"), {"batchyard_max_cost_usd": "0.25"})
    broken_id = start(client, chat_lines(300, model="broken"))

    capped = wait_for(client, capped_id, {"cancelled", "completed"}, timeout=30)
    assert capped.status == "cancelled" and capped.cancelled_at is not None
    assert capped.errors is not None
    (reason,) = capped.errors.data
    assert reason.code == "cost_cap_reached" and reason.param == "metadata.batchyard_max_cost_usd"
    assert "0.25 USD" in (reason.message or "") and "could pass its cap" in (reason.message or "")
    fields = extra(capped)
    assert fields["stop_reason"] == "cost_cap" and fields["cost"]["cap"] == 0.25
    # Equal lines never pass the cap: a line starts only while the spend, with every line
    # in flight at the costliest price seen, fits (two in flight at most, on "slow").
    assert 0.25 - 2 * 0.005 <= fields["cost"]["batch"] <= 0.25, "stopped at the cap, not past"
    assert 48 <= capped.request_counts.completed <= 50
    unrun = [e for e in every_line_once(client, capped) if e["error"]["code"] == "batch_cancelled"]
    assert len(unrun) == capped.request_counts.failed == 200 - capped.request_counts.completed

    broken = wait_for(client, broken_id, {"failed"}, timeout=30)
    assert broken.in_progress_at is not None and broken.failed_at is not None
    assert broken.errors is not None
    (reason,) = broken.errors.data
    assert reason.code == "error_rate_exceeded"
    assert extra(broken)["stop_reason"] == "error_rate"
    assert extra(broken)["cost"] is None, "an unpriced model has no cost, not a zero one"
    codes = [e["error"]["code"] if e["error"] else "http" for e in every_line_once(client, broken)]
    ran, unrun_count = codes.count("http"), codes.count("batch_failed")
    assert ran + unrun_count == 300 and 10 < ran < 150 and unrun_count > 150
    assert broken.request_counts.failed == 300 and broken.request_counts.completed == 0
