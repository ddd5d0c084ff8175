"""The `openai-batch` backend's options and its refusal of synchronous calls."""

from __future__ import annotations

import asyncio

import pytest

from batchyard.backends import Request, create_backend
from batchyard.backends.batchapi import OpenAIBatchBackend
from batchyard.config import ConfigError, ModelConfig, Settings
from batchyard.engine.piece_loop import piece_spans
from batchyard.records import LineSpan


def model(**options: object) -> ModelConfig:
    return ModelConfig(name="gpt-x", backend="openai-batch", options=dict(options))


def test_defaults_are_the_providers_limits() -> None:
    backend = create_backend(model())
    assert isinstance(backend, OpenAIBatchBackend)
    assert backend.options.max_lines_per_batch == 50_000
    assert backend.options.max_bytes_per_batch == 200 * 1024 * 1024
    assert backend.options.enqueued_tokens is None
    asyncio.run(backend.aclose())


@pytest.mark.parametrize(
    "options",
    [{"max_lines_per_batch": 0}, {"enqueued_tokens": 0}, {"poll_seconds": 0}, {"max_lines": 5}],
)
def test_bad_options_fail_at_startup(options: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="gpt-x"):
        create_backend(model(**options))


def test_an_unset_key_variable_fails_at_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_KEY_15", raising=False)
    with pytest.raises(ConfigError, match="NO_SUCH_KEY_15"):
        create_backend(model(api_key_env="NO_SUCH_KEY_15"))


def test_a_synchronous_call_is_refused_with_a_400() -> None:
    backend = create_backend(model())
    request = Request("/v1/chat/completions", {"model": "gpt-x", "messages": []}, "sync")
    (result,) = asyncio.run(backend.run([request]))
    assert result.status_code == 400
    assert "Batch API" in result.body["error"]["message"]
    asyncio.run(backend.aclose())


def test_shards_are_joined_up_to_a_provider_batch() -> None:
    settings = Settings(models=[model(max_lines_per_batch=2500, max_bytes_per_batch=4096)])
    spans = [LineSpan(1 + 1000 * i, 1000 * (i + 1), 100 * i, 100 * (i + 1), 1000) for i in range(5)]
    joined = piece_spans(settings, "gpt-x", spans)
    assert [(s.first_line, s.last_line, s.start, s.end, s.requests) for s in joined] == [
        (1, 2000, 0, 200, 2000),
        (2001, 4000, 200, 400, 2000),
        (4001, 5000, 400, 500, 1000),
    ]
    by_bytes = Settings(models=[model(max_bytes_per_batch=1024)])
    wide = [LineSpan(i + 1, i + 1, 600 * i, 600 * (i + 1), 1) for i in range(3)]
    assert len(piece_spans(by_bytes, "gpt-x", wide)) == 3
    other = Settings(models=[ModelConfig("m", "mock")])
    assert piece_spans(other, "m", spans) == spans
