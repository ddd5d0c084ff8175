"""The mock backend: OpenAI's shapes per endpoint, determinism, and injected faults."""

from __future__ import annotations

import base64
import math
import struct
import time
from pathlib import Path
from typing import Any

import pytest

from batchyard.backends import Request, Result
from batchyard.backends.mock import MockBackend
from batchyard.config import ConfigError, ModelConfig


def mock(**options: Any) -> MockBackend:
    return MockBackend(ModelConfig(name="batchyard-mock", backend="mock", options=options))


async def one(backend: MockBackend, endpoint: str, body: dict[str, Any], cid: str = "c1") -> Result:
    (result,) = await backend.run([Request(endpoint, body, cid)])
    return result


async def test_chat_echoes_last_user_message_in_openai_shape() -> None:
    body = {
        "model": "gpt-x",
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "an answer"},
            {"role": "user", "content": [{"type": "text", "text": "hello there world"}]},
        ],
    }
    result = await one(mock(), "/v1/chat/completions", body)

    assert result.status_code == 200 and result.ok
    assert result.request_id.startswith("req_") and len(result.request_id) == 36
    out = result.body
    assert out["id"].startswith("chatcmpl-")
    assert out["object"] == "chat.completion"
    assert out["model"] == "gpt-x"
    assert abs(out["created"] - time.time()) < 5
    (choice,) = out["choices"]
    assert choice["index"] == 0
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == "hello there world"
    # 2 + 2 + 2 + 3 words in, 3 words out.
    assert out["usage"]["prompt_tokens"] == 9
    assert out["usage"]["completion_tokens"] == 3
    assert out["usage"]["total_tokens"] == 12


async def test_chat_n_gives_n_choices() -> None:
    body = {"model": "m", "n": 3, "messages": [{"role": "user", "content": "a b"}]}
    out = (await one(mock(), "/v1/chat/completions", body)).body
    assert [c["index"] for c in out["choices"]] == [0, 1, 2]
    assert out["usage"]["completion_tokens"] == 6


async def test_completions_echo_each_prompt() -> None:
    out = (await one(mock(), "/v1/completions", {"model": "m", "prompt": ["a b", "c"]})).body
    assert out["id"].startswith("cmpl-")
    assert out["object"] == "text_completion"
    assert [(c["index"], c["text"], c["finish_reason"]) for c in out["choices"]] == [
        (0, "a b", "stop"),
        (1, "c", "stop"),
    ]
    assert out["usage"] == {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}


@pytest.mark.parametrize(
    "input_",
    [
        "say it back",
        [{"role": "user", "content": "say it back"}],
        [{"role": "user", "content": [{"type": "input_text", "text": "say it back"}]}],
    ],
)
async def test_responses_echo_input_as_a_response_object(input_: Any) -> None:
    body = {"model": "m", "input": input_, "instructions": "be kind"}
    out = (await one(mock(), "/v1/responses", body)).body
    assert out["id"].startswith("resp_")
    assert out["object"] == "response"
    assert out["status"] == "completed"
    assert out["model"] == "m"
    assert out["instructions"] == "be kind"
    (message,) = out["output"]
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["content"][0]["type"] == "output_text"
    assert message["content"][0]["text"] == "say it back"
    assert out["usage"]["input_tokens"] == 5
    assert out["usage"]["output_tokens"] == 3
    assert out["usage"]["total_tokens"] == 8


async def test_embeddings_are_deterministic_unit_vectors() -> None:
    body = {"model": "m", "input": ["alpha", "beta gamma", "alpha"]}
    first = (await one(mock(), "/v1/embeddings", body)).body
    again = (await one(mock(seed=7), "/v1/embeddings", body)).body

    assert first["object"] == "list" and first["model"] == "m"
    assert [d["index"] for d in first["data"]] == [0, 1, 2]
    assert all(d["object"] == "embedding" for d in first["data"])
    vectors = [d["embedding"] for d in first["data"]]
    assert all(len(v) == 16 for v in vectors)
    assert all(math.isclose(math.fsum(x * x for x in v), 1.0, rel_tol=1e-5) for v in vectors)
    assert vectors[0] == vectors[2] != vectors[1]
    assert [d["embedding"] for d in again["data"]] == vectors
    assert first["usage"] == {"prompt_tokens": 4, "total_tokens": 4}


async def test_embeddings_dimensions_from_option_and_body() -> None:
    by_option = (await one(mock(dimensions=64), "/v1/embeddings", {"input": "x"})).body
    by_body = (
        await one(mock(dimensions=64), "/v1/embeddings", {"input": "x", "dimensions": 8})
    ).body
    assert len(by_option["data"][0]["embedding"]) == 64
    assert len(by_body["data"][0]["embedding"]) == 8

    bad = await one(mock(), "/v1/embeddings", {"input": "x", "dimensions": 0})
    assert bad.status_code == 400
    assert bad.body["error"]["param"] == "dimensions"


async def test_embeddings_base64_decodes_to_the_float_vector() -> None:
    backend = mock()
    floats = (await one(backend, "/v1/embeddings", {"input": "text"})).body
    encoded = (
        await one(backend, "/v1/embeddings", {"input": "text", "encoding_format": "base64"})
    ).body
    raw = base64.b64decode(encoded["data"][0]["embedding"])
    assert list(struct.unpack(f"<{len(raw) // 4}f", raw)) == floats["data"][0]["embedding"]


async def test_moderations_never_flag() -> None:
    out = (await one(mock(), "/v1/moderations", {"model": "m", "input": ["a", "b"]})).body
    assert out["id"].startswith("modr-")
    assert out["model"] == "m"
    assert len(out["results"]) == 2
    for result in out["results"]:
        assert result["flagged"] is False
        assert not any(result["categories"].values())
        assert set(result["category_scores"]) == set(result["categories"])


@pytest.mark.parametrize(
    ("endpoint", "body", "param"),
    [
        ("/v1/chat/completions", {"model": "m"}, "messages"),
        ("/v1/embeddings", {"input": [1, 2, 3]}, "input"),
        ("/v1/embeddings", {"input": "x", "encoding_format": "hex"}, "encoding_format"),
        ("/v1/completions", {"prompt": "x", "n": 0}, "n"),
        ("/v1/chat/completions", {"messages": [{"rolez": "user", "contentz": "x"}]},
         "messages[0].role"),
        ("/v1/chat/completions", {"messages": [{"role": "user", "contentz": "x"}]},
         "messages[0].content"),
        ("/v1/chat/completions", {"messages": [{"role": "robot", "content": "x"}]},
         "messages[0].role"),
        ("/v1/chat/completions",
         {"messages": [{"role": "user", "content": "x"}], "temperature": 2.5}, "temperature"),
        ("/v1/chat/completions",
         {"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}, "max_tokens"),
        ("/v1/completions", {"prompt": "x", "top_p": -1}, "top_p"),
        ("/v1/completions", {"prompt": "x", "stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ("/v1/moderations", {"input": []}, "input"),
    ],
)  # fmt: skip
async def test_invalid_bodies_get_a_400_error_envelope(
    endpoint: str, body: dict[str, Any], param: str
) -> None:
    result = await one(mock(), endpoint, body)
    assert result.status_code == 400 and not result.retryable
    assert result.body["error"]["type"] == "invalid_request_error"
    assert result.body["error"]["param"] == param
    assert set(result.body["error"]) == {"message", "type", "param", "code"}


async def test_a_misspelt_message_key_is_openais_missing_parameter() -> None:
    body = {"messages": [{"rolez": "user", "contentz": "hi"}]}
    result = await one(mock(), "/v1/chat/completions", body)
    assert result.body["error"] == {
        "message": "Missing required parameter: 'messages[0].role'.",
        "type": "invalid_request_error",
        "param": "messages[0].role",
        "code": "missing_required_parameter",
    }


async def test_malformed_messages_do_not_raise() -> None:
    result = await one(mock(), "/v1/chat/completions", {"messages": ["not an object"]})
    assert result.status_code == 400
    assert set(result.body["error"]) == {"message", "type", "param", "code"}


async def test_unserved_endpoint_is_a_404_result() -> None:
    result = await one(mock(), "/v1/images/generations", {"prompt": "a cat"})
    assert result.status_code == 404


async def test_error_rate_picks_a_stable_share_of_custom_ids() -> None:
    backend = mock(error_rate=0.1)
    requests = [Request("/v1/completions", {"prompt": "x"}, f"request-{i}") for i in range(4000)]
    first = [r.status_code for r in await backend.run(requests)]
    again = [r.status_code for r in await mock(error_rate=0.1).run(requests)]

    assert first == again
    assert set(first) == {200, 400}
    assert 0.08 < first.count(400) / len(first) < 0.12
    failed = (await backend.run(requests[first.index(400) :][:1]))[0]
    assert failed.body["error"]["code"] == "mock_error"
    assert not failed.retryable


async def test_transient_errors_are_retryable_and_clear_on_retry() -> None:
    backend = mock(transient_error_rate=0.3, seed=1)
    requests = [Request("/v1/completions", {"prompt": "x"}, f"r{i}") for i in range(2000)]
    results = await backend.run(requests)

    failed = [req for req, res in zip(requests, results, strict=True) if not res.ok]
    assert 0.25 < len(failed) / len(requests) < 0.35
    assert all(res.status_code == 503 and res.retryable for res in results if not res.ok)
    assert all(res.body["error"]["type"] == "server_error" for res in results if not res.ok)

    for _ in range(30):  # each attempt fails with p=0.3: all cleared well within 30 rounds
        retried = await backend.run(failed)
        failed = [req for req, res in zip(failed, retried, strict=True) if not res.ok]
    assert failed == []


async def test_transient_errors_follow_the_seed() -> None:
    requests = [Request("/v1/completions", {"prompt": "x"}, f"r{i}") for i in range(200)]
    first = [r.status_code for r in await mock(transient_error_rate=0.5, seed=3).run(requests)]
    again = [r.status_code for r in await mock(transient_error_rate=0.5, seed=3).run(requests)]
    assert first == again


async def test_latency_is_paid_once_per_group() -> None:
    backend = mock(latency_ms=100)
    requests = [Request("/v1/completions", {"prompt": "x"}, f"r{i}") for i in range(64)]
    start = time.perf_counter()
    results = await backend.run(requests)
    elapsed = time.perf_counter() - start
    assert len(results) == 64
    assert 0.09 < elapsed < 0.5


async def test_results_come_back_in_request_order() -> None:
    requests = [Request("/v1/completions", {"prompt": f"line {i}"}, f"r{i}") for i in range(64)]
    results = await mock().run(requests)
    assert [r.body["choices"][0]["text"] for r in results] == [f"line {i}" for i in range(64)]
    assert len({r.request_id for r in results}) == len(results)


@pytest.mark.parametrize(
    "options",
    [{"error_rate": 1.5}, {"dimensions": 0}, {"latency_ms": -1}, {"seed": "x"}, {"speed": 1}],
)
def test_bad_options_are_config_errors_naming_the_model(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="batchyard-mock"):
        mock(**options)


async def test_per_request_work_is_cheap() -> None:
    """The pipeline's 3,000 lines/s target needs the mock to be far faster than that."""
    backend = mock()
    body = {"model": "m", "messages": [{"role": "user", "content": "hello there " * 20}]}
    requests = [Request("/v1/chat/completions", body, f"r{i}") for i in range(64)]
    start = time.perf_counter()
    for _ in range(50):
        await backend.run(requests)
    assert (time.perf_counter() - start) / (50 * 64) < 100e-6


async def test_max_group_and_call_log_are_options(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    backend = MockBackend(ModelConfig("m", "mock", options={"max_group": 1, "call_log": str(log)}))
    assert backend.max_group == 1
    await backend.run([Request("/v1/completions", {"prompt": "x"}, "first")])
    await backend.run([Request("/v1/completions", {"prompt": "y"}, "second")])
    await backend.aclose()
    assert log.read_text().split() == ["first", "second"]
    with pytest.raises(ConfigError):
        MockBackend(ModelConfig("m", "mock", options={"max_group": 0}))
