"""Failure is failure: a wrong model is caught first, a failed batch exits non-zero, and
collect says what to change where a retry cannot help."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from tests.client.support import MOCK, ServerFactory, chat_requests, run

from batchyard.client.advice import advise
from batchyard.client.manifest import Manifest, Part


def test_submit_names_the_servers_models_before_uploading_a_wrong_one(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server()
    requests = chat_requests(tmp_path / "requests.jsonl", 3, model="gpt-4o-mini")
    result = run("submit", requests, "--base-url", server.base_url, "--wait", ok=False)
    assert "requests.jsonl:1: model_not_found (body.model)" in result.output
    assert "Models on this server: batchyard-mock." in result.output
    assert "nothing was uploaded" in result.output
    assert list(server.client().files.list()) == []


def test_validate_asks_the_server_for_its_models(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(models=[MOCK, {"name": "other-mock", "backend": "mock"}])
    wrong = chat_requests(tmp_path / "wrong.jsonl", 2, model="gpt-4o-mini")
    result = run("validate", wrong, "--base-url", server.base_url, ok=False)
    assert "wrong.jsonl:2: model_not_found" in result.output
    assert "Models on this server: batchyard-mock, other-mock." in result.output
    right = chat_requests(tmp_path / "right.jsonl", 2, model="other-mock")
    assert "ok: 2" in run("validate", right, "--base-url", server.base_url).output
    # Offline, with no server named, any model passes as before.
    assert "ok: 2" in run("validate", wrong).output


def test_submit_wait_exits_non_zero_with_the_errors_when_the_batch_fails(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    # The server takes 2 lines a batch; told 10, submit sends 3 and the server fails it.
    server = make_server(limits={"max_requests_per_batch": 2})
    requests = chat_requests(tmp_path / "requests.jsonl", 3)
    result = run(
        "submit", requests, "--base-url", server.base_url, "--wait", "--interval", "0.1",
        "--max-requests", "10", ok=False,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "batch_" in result.output and " failed" in result.output
    assert "too_many_requests" in result.output
    assert "1 of 1 batch did not complete" in result.output

    collected = run("collect", tmp_path / "requests.batchyard.json", "-o", tmp_path / "out.jsonl")
    assert "3 requests of part-0001 got no result: the batch failed validation" in (
        collected.output
    )
    assert "Fix the requests" in collected.output
    assert "batchyard retry" in collected.output  # named only as what would not help
    assert "may succeed if sent again" not in collected.output


def test_collect_tells_fixable_errors_from_passing_ones(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(models=[{**MOCK, "error_rate": 0.5}])
    requests = chat_requests(tmp_path / "requests.jsonl", 40)
    run("submit", requests, "--base-url", server.base_url, "--wait", "--interval", "0.1")
    collected = run("collect", tmp_path / "requests.batchyard.json", "-o", tmp_path / "out.csv")
    assert "failed in a way a retry cannot fix" in collected.output
    assert "may succeed if sent again" not in collected.output


def _manifest(tmp_path: Path, *parts: Part) -> Manifest:
    return Manifest(
        path=tmp_path / "job.batchyard.json", job="job", endpoint="/v1/chat/completions",
        completion_window="24h", max_requests=10, max_bytes=1000, max_in_flight=1,
        base_url="http://x/v1", metadata={}, parts=list(parts),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("codes", "missing", "expect"),
    [
        (Counter({"batch_expired": 3, "429": 1}), {}, "4 requests may succeed"),
        (Counter({"invalid_request_error": 2, "503": 1}), {}, "--codes 503"),
        (Counter(), {"p2": 5}, "5 requests may succeed"),  # an expired part's unrun lines
        (Counter({"500": 1}), {"p1": 2}, "--no-missing"),
    ],
)
def test_advice_names_retry_only_for_what_it_can_fix(
    tmp_path: Path, codes: Counter[str], missing: dict[str, int], expect: str
) -> None:
    failed = Part("p1", "parts/p1.jsonl", 2, 10, state="submitted", status="failed",
                  error="line 1: model_not_found: no such model")  # fmt: skip
    expired = Part("p2", "parts/p2.jsonl", 5, 10, state="submitted", status="expired")
    lines = advise(_manifest(tmp_path, failed, expired), codes, missing)
    assert any(expect in line for line in lines), lines
    if "p1" in missing:
        assert any("failed validation: line 1: model_not_found" in line for line in lines)


def test_a_submit_to_nowhere_says_that_base_url_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    requests = chat_requests(tmp_path / "requests.jsonl", 1)
    result = run("submit", requests, "--wait", ok=False)
    assert "set OPENAI_API_KEY" in result.output
    assert "--base-url http://127.0.0.1:8000/v1" in result.output
