"""Caps on what a hostile input can make the server echo or amplify (issue 19)."""

from __future__ import annotations

import io
from typing import Any

import orjson

from batchyard.backends import Request, Result
from batchyard.backends.mock import MAX_OUTPUT_CHARS, MockBackend
from batchyard.config import Limits, ModelConfig
from batchyard.endpoints import CHAT
from batchyard.errors import ECHO_MAX_CHARS, clip_echo
from batchyard.validation import ERRORS_MAX_BYTES, validate_batch_file


def line(custom_id: str, method: str = "POST", model: str = "m") -> bytes:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    return orjson.dumps({"custom_id": custom_id, "method": method, "url": CHAT, "body": body})


def validate(data: bytes, limits: Limits | None = None) -> Any:
    return validate_batch_file(
        lambda: io.BytesIO(data),
        endpoint=CHAT,
        limits=limits or Limits(max_batch_file_bytes=200 * 1024 * 1024),
        models=None,
    )


def test_clip_echo_keeps_short_values_and_cuts_long_ones() -> None:
    assert clip_echo("GET") == "GET"
    assert clip_echo("x" * ECHO_MAX_CHARS) == "x" * ECHO_MAX_CHARS
    assert clip_echo("x" * 30_000) == "x" * ECHO_MAX_CHARS + "…"


def test_long_method_model_and_custom_id_are_not_echoed_in_full() -> None:
    long = "Z" * 30_000
    data = b"\n".join(
        [
            line("a", model="m"),
            line("b", method=long),
            line("c", model=long),
            line(long),
            line(long),
        ]
    )
    report = validate(data + b"\n")
    codes = {e.code for e in report.errors}
    assert {"invalid_method", "mismatched_model", "duplicate_custom_id"} <= codes
    for error in report.errors:
        assert len(error.message) < 300, error.code
        assert "Z" * ECHO_MAX_CHARS + "…" in error.message
        assert error.line is not None


def test_a_thousand_long_methods_make_a_small_report() -> None:
    """1,000 lines with a 30,000-character method once made errors.data 30 MB."""
    method = "M" * 30_000
    data = b"".join(line(f"r{i}", method=method) + b"\n" for i in range(1000))
    report = validate(data)
    assert len(report.errors) == 1000 and report.omitted_errors == 0
    assert len(orjson.dumps([e.to_dict() for e in report.errors])) < 200 * 1024


def test_errors_data_is_capped_in_bytes_and_the_rest_counted() -> None:
    lines = 4000
    data = b"".join(line(f"r{i}", method="G" * 100) + b"\n" for i in range(lines))
    report = validate(data, Limits(max_validation_errors=lines))
    size = len(orjson.dumps([e.to_dict() for e in report.errors]))
    assert size <= ERRORS_MAX_BYTES
    assert report.omitted_errors > 0
    assert len(report.errors) + report.omitted_errors == lines
    assert [e.line for e in report.errors] == list(range(1, len(report.errors) + 1))


def mock() -> MockBackend:
    return MockBackend(ModelConfig(name="batchyard-mock", backend="mock", options={}))


async def answer(endpoint: str, body: dict[str, Any]) -> Result:
    backend = mock()
    try:
        (result,) = await backend.run([Request(endpoint, body, "c1")])
    finally:
        await backend.aclose()
    return result


async def test_mock_chat_does_not_amplify_a_big_message_times_n() -> None:
    content = "w " * (1024 * 1024)  # 2 MiB
    body = {"model": "m", "n": 128, "messages": [{"role": "user", "content": content}]}
    result = await answer(CHAT, body)
    assert result.status_code == 200
    size = len(orjson.dumps(result.body))
    assert size < MAX_OUTPUT_CHARS + 64 * 1024, size
    assert len(result.body["choices"]) == 128
    assert {c["finish_reason"] for c in result.body["choices"]} == {"length"}


async def test_mock_completions_and_responses_are_bounded_too() -> None:
    prompt = "p" * (1024 * 1024)
    result = await answer("/v1/completions", {"model": "m", "prompt": [prompt] * 4, "n": 32})
    assert result.status_code == 200
    assert len(orjson.dumps(result.body)) < MAX_OUTPUT_CHARS + 64 * 1024
    result = await answer("/v1/responses", {"model": "m", "input": prompt})
    assert len(orjson.dumps(result.body)) < MAX_OUTPUT_CHARS + 64 * 1024


async def test_mock_short_echo_is_untouched() -> None:
    body = {"model": "m", "n": 2, "messages": [{"role": "user", "content": "hello there"}]}
    result = await answer(CHAT, body)
    assert [c["message"]["content"] for c in result.body["choices"]] == ["hello there"] * 2
    assert {c["finish_reason"] for c in result.body["choices"]} == {"stop"}
