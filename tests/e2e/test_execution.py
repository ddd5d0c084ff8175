"""Batches run end to end in a real server: validation, results, cancel, expiry (spec §11)."""

from __future__ import annotations

import asyncio
import time

import httpx
import openai
import orjson
import pytest
from tests.e2e.conftest import ServerFactory, chat_lines, results, wait_for

TERMINAL = {"completed", "failed", "cancelled", "expired"}


def upload(client: openai.OpenAI, data: bytes, name: str = "in.jsonl") -> str:
    return client.files.create(file=(name, data, "application/jsonl"), purpose="batch").id


def create(client: openai.OpenAI, data: bytes, **kwargs: object) -> str:
    file_id = upload(client, data)
    batch = client.batches.create(
        input_file_id=file_id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        **kwargs,  # type: ignore[arg-type]
    )
    return batch.id


def test_happy_path_walks_every_status_and_counts_live(make_server: ServerFactory) -> None:
    server = make_server()
    client = server.client(_strict_response_validation=True)
    n = 300
    batch_id = create(client, chat_lines(n), metadata={"job": "happy"})
    seen: list[tuple[str, int]] = []
    while True:
        batch = client.batches.retrieve(batch_id)
        seen.append((batch.status, batch.request_counts.completed + batch.request_counts.failed))
        if batch.status in TERMINAL:
            break
        time.sleep(0.02)
    assert batch.status == "completed", batch
    done_counts = [count for _, count in seen]
    assert done_counts == sorted(done_counts)  # R2: never goes backwards
    assert batch.request_counts.total == n and batch.request_counts.completed == n
    assert batch.in_progress_at and batch.finalizing_at and batch.completed_at
    assert batch.created_at <= batch.in_progress_at <= batch.finalizing_at <= batch.completed_at
    assert batch.model == "batchyard-mock"
    assert batch.error_file_id is None  # R8
    assert batch.metadata == {"job": "happy"}
    assert batch.usage is not None
    assert batch.usage.input_tokens == 2 * n and batch.usage.output_tokens == 2 * n
    assert batch.usage.total_tokens == batch.usage.input_tokens + batch.usage.output_tokens

    out = results(client, batch.output_file_id)
    assert sorted(line["custom_id"] for line in out) == sorted(f"r{i}" for i in range(n))
    for line in out:
        assert line["id"].startswith("batch_req_") and line["error"] is None
        assert line["response"]["status_code"] == 200
        assert isinstance(line["response"]["request_id"], str)
        i = line["custom_id"][1:]
        assert line["response"]["body"]["choices"][0]["message"]["content"] == f"say {i}"
    output_file = client.files.retrieve(batch.output_file_id)
    assert output_file.purpose == "batch_output"
    assert output_file.id in {f.id for f in client.files.list(purpose="batch_output")}


def test_failed_requests_go_to_the_error_file_and_an_all_fail_batch_still_completes(
    make_server: ServerFactory,
) -> None:
    server = make_server(
        models=[
            {"name": "flaky", "backend": "mock", "error_rate": 0.3},
            {"name": "broken", "backend": "mock", "error_rate": 1.0},
        ]
    )
    client = server.client(_strict_response_validation=True)
    mixed = wait_for(client, create(client, chat_lines(200, model="flaky")), TERMINAL)
    assert mixed.status == "completed"
    ok, bad = results(client, mixed.output_file_id), results(client, mixed.error_file_id)
    assert len(ok) == mixed.request_counts.completed and len(bad) == mixed.request_counts.failed
    assert 30 < len(bad) < 90
    ids = [line["custom_id"] for line in ok + bad]
    assert sorted(ids) == sorted(f"r{i}" for i in range(200))  # R6: each exactly once
    for line in bad:  # R4: the upstream's answer, with error null
        assert line["error"] is None and line["response"]["status_code"] == 400
        assert set(line["response"]["body"]["error"]) == {"message", "type", "param", "code"}

    all_bad = wait_for(client, create(client, chat_lines(20, model="broken")), TERMINAL)
    assert all_bad.status == "completed"  # R7
    assert all_bad.output_file_id is None and all_bad.error_file_id is not None
    assert all_bad.request_counts.failed == 20 and all_bad.request_counts.completed == 0


def test_a_line_openai_would_refuse_is_an_error_file_line_with_its_400(
    make_server: ServerFactory,
) -> None:
    """The mock checks bodies as OpenAI does: misspelt message keys are its 400, per line."""
    server = make_server()
    client = server.client(_strict_response_validation=True)
    good = orjson.loads(chat_lines(1))
    bad = {
        **good,
        "custom_id": "misspelt",
        "body": {"model": "batchyard-mock", "messages": [{"rolez": "user", "contentz": "hi"}]},
    }
    hot = {**good, "custom_id": "too-hot", "body": {**good["body"], "temperature": 3}}
    data = b"".join(orjson.dumps(line) + b"\n" for line in (good, bad, hot))  # fmt: skip
    batch = wait_for(client, create(client, data), TERMINAL)
    assert batch.status == "completed"
    assert batch.request_counts.completed == 1 and batch.request_counts.failed == 2
    errors = {line["custom_id"]: line for line in results(client, batch.error_file_id)}
    misspelt = errors["misspelt"]["response"]
    assert misspelt["status_code"] == 400
    assert misspelt["body"]["error"] == {
        "message": "Missing required parameter: 'messages[0].role'.",
        "type": "invalid_request_error",
        "param": "messages[0].role",
        "code": "missing_required_parameter",
    }
    assert errors["too-hot"]["response"]["body"]["error"]["param"] == "temperature"


def test_transient_errors_are_retried_until_they_succeed(make_server: ServerFactory) -> None:
    server = make_server(
        models=[{"name": "batchyard-mock", "backend": "mock", "transient_error_rate": 0.3}],
        engine={"retry_base_seconds": 0.01, "retry_max_seconds": 0.05, "max_attempts": 20},
    )
    client = server.client()
    batch = wait_for(client, create(client, chat_lines(300)), TERMINAL)
    assert batch.status == "completed" and batch.request_counts.completed == 300


def test_invalid_files_fail_validation_with_line_numbers(make_server: ServerFactory) -> None:
    client = make_server().client(_strict_response_validation=True)
    good = orjson.dumps(
        {
            "custom_id": "a",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "batchyard-mock", "messages": []},
        }
    )
    data = (
        b"\n".join(
            [
                good,
                b"{not json",
                b'{"method": "POST", "url": "/v1/chat/completions", "body": {}}',
                good.replace(b'"batchyard-mock"', b'"no-such-model"').replace(b'"a"', b'"c"'),
                good,
            ]
        )
        + b"\n"
    )
    batch = wait_for(client, create(client, data), TERMINAL)
    assert batch.status == "failed"  # V10
    assert batch.failed_at and batch.in_progress_at is None
    assert batch.output_file_id is None and batch.error_file_id is None
    assert batch.request_counts.total == 0
    assert batch.errors is not None and batch.errors.object == "list"
    found = [(e.line, e.code, e.param) for e in batch.errors.data]
    assert (2, "invalid_json_line", None) in found
    assert (3, "missing_required_parameter", "custom_id") in found
    assert (4, "model_not_found", "body.model") in found
    assert (5, "duplicate_custom_id", "custom_id") in found
    assert [line for line, *_ in found] == sorted(line for line, *_ in found)


def test_a_missing_or_non_batch_input_file_fails_the_batch(make_server: ServerFactory) -> None:
    client = make_server().client()
    missing = client.batches.create(
        input_file_id="file-doesnotexist0000000000",
        endpoint="/v1/chat/completions",
        completion_window="24h",
    )
    assert missing.status == "validating"
    failed = wait_for(client, missing.id, TERMINAL)
    assert failed.status == "failed" and failed.errors is not None
    assert failed.errors.data[0].code == "invalid_request"
    assert "Cannot find file" in (failed.errors.data[0].message or "")

    other = client.files.create(file=("notes.txt", b"hello"), purpose="user_data")
    wrong = client.batches.create(
        input_file_id=other.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    failed = wait_for(client, wrong.id, TERMINAL)
    assert failed.status == "failed" and failed.errors is not None
    assert "purpose" in (failed.errors.data[0].message or "")


def test_cancel_keeps_finished_lines_and_reports_the_rest(make_server: ServerFactory) -> None:
    server = make_server(
        models=[
            {
                "name": "batchyard-mock",
                "backend": "mock",
                "latency_ms": 50,
                "max_concurrency": 2,
                "max_group": 1,
            }
        ]
    )
    client = server.client(_strict_response_validation=True)
    n = 400
    batch_id = create(client, chat_lines(n))
    wait_for(client, batch_id, {"in_progress"})
    time.sleep(0.5)
    cancelling = client.batches.cancel(batch_id)
    assert cancelling.status == "cancelling" and cancelling.cancelling_at  # X1
    assert client.batches.cancel(batch_id).status in {"cancelling", "cancelled"}  # X3
    batch = wait_for(client, batch_id, TERMINAL)
    assert batch.status == "cancelled" and batch.cancelled_at
    ok, bad = results(client, batch.output_file_id), results(client, batch.error_file_id)
    assert ok, "lines finished before the cancel stay in the output file"
    assert sorted(x["custom_id"] for x in ok + bad) == sorted(f"r{i}" for i in range(n))
    unrun = [x for x in bad if x["response"] is None]
    assert unrun and all(x["error"]["code"] == "batch_cancelled" for x in unrun)  # X2
    assert batch.request_counts.completed == len(ok)
    assert batch.request_counts.failed == len(bad)
    assert client.batches.cancel(batch_id).status == "cancelled"
    with pytest.raises(openai.ConflictError):
        client.batches.cancel(create_and_finish(client))


def create_and_finish(client: openai.OpenAI) -> str:
    batch_id = create(client, chat_lines(1, prefix="done"))
    return str(wait_for(client, batch_id, TERMINAL).id)


def test_expiry_keeps_finished_lines_and_expires_the_rest(make_server: ServerFactory) -> None:
    server = make_server(
        models=[
            {
                "name": "batchyard-mock",
                "backend": "mock",
                "latency_ms": 100,
                "max_concurrency": 2,
                "max_group": 1,
            }
        ],
        limits={"completion_windows": ["24h", "2s"]},
    )
    client = server.client(_strict_response_validation=True)
    file_id = upload(client, chat_lines(200))
    created = client.batches.create(
        input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="2s"
    )  # type: ignore[arg-type]
    assert created.expires_at == created.created_at + 2
    batch = wait_for(client, created.id, TERMINAL, timeout=30)
    assert batch.status == "expired" and batch.expired_at  # X6
    ok, bad = results(client, batch.output_file_id), results(client, batch.error_file_id)
    assert ok
    assert sorted(x["custom_id"] for x in ok + bad) == sorted(f"r{i}" for i in range(200))
    expired = [x for x in bad if x["error"] and x["error"]["code"] == "batch_expired"]
    assert expired and expired[0]["response"] is None
    assert expired[0]["error"]["message"] == (
        "This request could not be executed before the completion window expired."
    )


def test_async_client_runs_a_batch(make_server: ServerFactory) -> None:
    server = make_server()

    async def go() -> None:
        client = server.async_client(_strict_response_validation=True)
        file = await client.files.create(file=("a.jsonl", chat_lines(50)), purpose="batch")
        batch = await client.batches.create(
            input_file_id=file.id, completion_window="24h", endpoint="/v1/chat/completions"
        )
        while batch.status not in TERMINAL:
            await asyncio.sleep(0.05)
            batch = await client.batches.retrieve(batch.id)
        assert batch.status == "completed" and batch.output_file_id
        content = await client.files.content(batch.output_file_id)
        assert len(content.content.splitlines()) == 50
        await client.close()

    asyncio.run(go())


def test_sigterm_drains_and_a_restart_finishes_the_batch(make_server: ServerFactory) -> None:
    models = [
        {
            "name": "batchyard-mock",
            "backend": "mock",
            "latency_ms": 20,
            "max_concurrency": 8,
            "max_group": 1,
        }
    ]
    server = make_server(models=models)
    client = server.client()
    n = 1500
    batch_id = create(client, chat_lines(n))
    wait_for(client, batch_id, {"in_progress"})
    time.sleep(0.5)
    assert server.stop() == 0
    restarted = make_server(models=models)
    batch = wait_for(restarted.client(), batch_id, TERMINAL, timeout=60)
    assert batch.status == "completed" and batch.request_counts.completed == n
    out = results(restarted.client(), batch.output_file_id)
    assert sorted(x["custom_id"] for x in out) == sorted(f"r{i}" for i in range(n))


def test_partial_results_stream_while_the_batch_runs(make_server: ServerFactory) -> None:
    server = make_server(
        models=[
            {
                "name": "batchyard-mock",
                "backend": "mock",
                "latency_ms": 20,
                "max_concurrency": 4,
                "max_group": 1,
            }
        ]
    )
    client = server.client()
    n = 400
    batch_id = create(client, chat_lines(n))
    wait_for(client, batch_id, {"in_progress"})
    time.sleep(1.5)
    url = f"{server.base_url}/batches/{batch_id}/output"
    early = httpx.get(url, timeout=30)
    assert early.status_code == 200
    assert early.headers["x-batchyard-results-complete"] == "false"
    partial = [orjson.loads(line) for line in early.content.splitlines()]
    assert 0 < len(partial) < n
    assert all(line["response"]["status_code"] == 200 for line in partial)
    rest = httpx.get(url, params={"after": len(partial)}, timeout=30).content.splitlines()
    assert {orjson.loads(x)["custom_id"] for x in rest}.isdisjoint(
        {x["custom_id"] for x in partial}
    )
    wait_for(client, batch_id, TERMINAL)
    final = httpx.get(url, timeout=30)
    assert final.headers["x-batchyard-results-complete"] == "true"
    assert sorted(orjson.loads(x)["custom_id"] for x in final.content.splitlines()) == sorted(
        f"r{i}" for i in range(n)
    )
    missing = httpx.get(f"{server.base_url}/batches/batch_nope/output", timeout=30)
    assert missing.status_code == 404 and missing.json()["error"]["param"] is None
