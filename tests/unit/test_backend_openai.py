"""The openai backend against a real HTTP server: a small Starlette app under uvicorn.

The upstream's behaviour is picked per request by `body["scenario"]`, and it
echoes what it saw (path, headers) so the tests can check what was sent.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from email.utils import formatdate
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request as HTTPRequest
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from tests.threaded_server import serving

from batchyard.backends import Request, Result
from batchyard.backends.openai import OpenAIBackend
from batchyard.config import ConfigError, ModelConfig

BAD_REQUEST = {
    "error": {
        "message": "Invalid value for 'temperature'.",
        "type": "invalid_request_error",
        "param": "temperature",
        "code": "invalid_value",
    }
}
RATE_LIMITED = {
    "error": {
        "message": "Rate limit reached.",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
}
_load = {"in_flight": 0, "peak": 0}


async def upstream_endpoint(request: HTTPRequest) -> Response:
    body = await request.json()
    scenario = body.get("scenario", "ok")
    if scenario == "ok":
        seen = {
            "path": request.url.path,
            "authorization": request.headers.get("authorization"),
            "x-extra": request.headers.get("x-extra"),
            "content-type": request.headers.get("content-type"),
        }
        answer = {"id": "chatcmpl-up", "object": "chat.completion", "echo": body, "seen": seen}
        return JSONResponse(answer, headers={"x-request-id": "req_upstream123"})
    if scenario == "bad":
        return JSONResponse(BAD_REQUEST, status_code=400)
    if scenario == "rate-limited":
        return JSONResponse(RATE_LIMITED, status_code=429, headers={"retry-after-ms": "1500"})
    if scenario == "overloaded":
        return PlainTextResponse("overloaded", status_code=503, headers={"retry-after": "2"})
    if scenario == "overloaded-until":
        until = formatdate(time.time() + 30, usegmt=True)
        return PlainTextResponse("overloaded", status_code=503, headers={"retry-after": until})
    if scenario == "fastapi-422":
        return JSONResponse({"detail": "field required"}, status_code=422)
    if scenario == "vllm-400":
        vllm = {"object": "error", "message": "too long", "type": "BadRequestError", "code": 400}
        return JSONResponse(vllm, status_code=400)
    if scenario == "not-json":
        return PlainTextResponse("hello", status_code=200)
    if scenario == "slow":
        await asyncio.sleep(1.0)
        return JSONResponse({"late": True})
    if scenario == "hold":
        _load["in_flight"] += 1
        _load["peak"] = max(_load["peak"], _load["in_flight"])
        await asyncio.sleep(0.05)
        _load["in_flight"] -= 1
        return JSONResponse({"ok": True})
    return JSONResponse({"error": {"message": f"no scenario {scenario}"}}, status_code=500)


app = Starlette(routes=[Route("/{path:path}", upstream_endpoint, methods=["POST"])])


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    """`http://127.0.0.1:<port>` of the app, served by uvicorn in a background thread."""
    with serving(app) as url:
        yield url


@pytest.fixture
async def make() -> AsyncIterator[Callable[..., OpenAIBackend]]:
    """Build backends from options; close them all after the test."""
    built: list[OpenAIBackend] = []

    def build(
        max_concurrency: int = 8, transport: httpx.AsyncBaseTransport | None = None, **options: Any
    ) -> OpenAIBackend:
        model = ModelConfig("upstream-model", "openai", max_concurrency, options)
        backend = OpenAIBackend(model, transport=transport)
        built.append(backend)
        return backend

    yield build
    for backend in built:
        await backend.aclose()


async def call(backend: OpenAIBackend, body: dict[str, Any], endpoint: str = "") -> Result:
    (result,) = await backend.run([Request(endpoint or "/v1/chat/completions", body, "c1")])
    return result


async def test_success_is_passed_through(upstream: str, make: Callable[..., OpenAIBackend]) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    result = await call(make(base_url=f"{upstream}/v1"), body)

    assert result.status_code == 200
    assert result.request_id == "req_upstream123"
    assert result.retry_after is None
    assert result.body["echo"] == body
    assert result.body["seen"]["path"] == "/v1/chat/completions"
    assert result.body["seen"]["content-type"] == "application/json"
    assert result.body["seen"]["authorization"] is None


@pytest.mark.parametrize(
    ("base", "endpoint", "path"),
    [
        ("/v1", "/v1/embeddings", "/v1/embeddings"),
        ("/v1/", "/v1/responses", "/v1/responses"),
        ("/proxy/openai/v1", "/v1/chat/completions", "/proxy/openai/v1/chat/completions"),
    ],
)
async def test_endpoint_minus_v1_is_joined_to_base_url(
    upstream: str, make: Callable[..., OpenAIBackend], base: str, endpoint: str, path: str
) -> None:
    result = await call(make(base_url=upstream + base), {"x": 1}, endpoint)
    assert result.body["seen"]["path"] == path


async def test_api_key_from_env_and_extra_headers_are_sent(
    upstream: str, make: Callable[..., OpenAIBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCHYARD_TEST_KEY", "sk-test-123")
    backend = make(
        base_url=f"{upstream}/v1", api_key_env="BATCHYARD_TEST_KEY", headers={"X-Extra": "yes"}
    )
    seen = (await call(backend, {})).body["seen"]
    assert seen["authorization"] == "Bearer sk-test-123"
    assert seen["x-extra"] == "yes"


async def test_400_is_passed_through_and_not_retryable(
    upstream: str, make: Callable[..., OpenAIBackend]
) -> None:
    result = await call(make(base_url=f"{upstream}/v1"), {"scenario": "bad"})
    assert result.status_code == 400
    assert result.body == BAD_REQUEST
    assert not result.retryable
    assert result.request_id.startswith("req_")


async def test_429_carries_retry_after_ms(
    upstream: str, make: Callable[..., OpenAIBackend]
) -> None:
    result = await call(make(base_url=f"{upstream}/v1"), {"scenario": "rate-limited"})
    assert result.status_code == 429
    assert result.body == RATE_LIMITED
    assert result.retryable
    assert result.retry_after == 1.5


async def test_503_without_json_gets_a_synthesized_error(
    upstream: str, make: Callable[..., OpenAIBackend]
) -> None:
    result = await call(make(base_url=f"{upstream}/v1"), {"scenario": "overloaded"})
    assert result.status_code == 503
    assert result.retryable
    assert result.retry_after == 2.0
    assert result.body["error"]["type"] == "upstream_error"
    assert "503" in result.body["error"]["message"]


async def test_retry_after_as_an_http_date(
    upstream: str, make: Callable[..., OpenAIBackend]
) -> None:
    result = await call(make(base_url=f"{upstream}/v1"), {"scenario": "overloaded-until"})
    assert result.retry_after is not None
    assert 25 < result.retry_after <= 31


@pytest.mark.parametrize(
    ("scenario", "status", "message", "type_"),
    [
        ("fastapi-422", 422, "field required", "upstream_error"),
        ("vllm-400", 400, "too long", "BadRequestError"),
    ],
)
async def test_other_error_shapes_become_openai_envelopes(
    upstream: str,
    make: Callable[..., OpenAIBackend],
    scenario: str,
    status: int,
    message: str,
    type_: str,
) -> None:
    result = await call(make(base_url=f"{upstream}/v1"), {"scenario": scenario})
    assert result.status_code == status
    assert result.body == {
        "error": {"message": message, "type": type_, "param": None, "code": None}
    }


async def test_2xx_without_json_is_a_retryable_502(
    upstream: str, make: Callable[..., OpenAIBackend]
) -> None:
    result = await call(make(base_url=f"{upstream}/v1"), {"scenario": "not-json"})
    assert result.status_code == 502
    assert result.retryable


async def test_connection_refused_is_status_0(make: Callable[..., OpenAIBackend]) -> None:
    with socket.socket() as sock:  # a port nobody listens on once it is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await call(make(base_url=f"http://127.0.0.1:{port}/v1"), {})
    assert result.status_code == 0
    assert result.retryable
    assert result.body["error"]["type"] == "upstream_error"
    assert result.body["error"]["code"] == "upstream_unreachable"


async def test_timeout_is_status_0(upstream: str, make: Callable[..., OpenAIBackend]) -> None:
    backend = make(base_url=f"{upstream}/v1", timeout_seconds=0.2)
    start = time.perf_counter()
    result = await call(backend, {"scenario": "slow"})
    assert time.perf_counter() - start < 0.9
    assert result.status_code == 0
    assert result.retryable
    assert result.body["error"]["code"] == "upstream_timeout"


async def test_in_flight_requests_are_bounded_by_max_concurrency(
    upstream: str, make: Callable[..., OpenAIBackend]
) -> None:
    backend = make(max_concurrency=3, base_url=f"{upstream}/v1")
    _load["peak"] = 0
    calls = [
        backend.run([Request("/v1/embeddings", {"scenario": "hold"}, f"c{i}")]) for i in range(12)
    ]
    results = [r for rs in await asyncio.gather(*calls) for r in rs]
    assert all(r.status_code == 200 for r in results)
    assert _load["peak"] == 3


async def test_a_group_gets_one_result_per_request_in_order(
    upstream: str, make: Callable[..., OpenAIBackend]
) -> None:
    scenarios = ["ok", "bad", "rate-limited", "ok"]
    requests = [Request("/v1/chat/completions", {"scenario": s}, s) for s in scenarios]
    results = await make(base_url=f"{upstream}/v1").run(requests)
    assert [r.status_code for r in results] == [200, 400, 429, 200]


async def test_injected_transport_replaces_the_network(
    make: Callable[..., OpenAIBackend],
) -> None:
    backend = make(base_url="http://upstream.invalid/v1", transport=httpx.ASGITransport(app=app))
    result = await call(backend, {"scenario": "bad"})
    assert result.status_code == 400
    assert result.body == BAD_REQUEST


async def test_bodies_and_keys_are_never_logged(
    upstream: str,
    make: Callable[..., OpenAIBackend],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("BATCHYARD_TEST_KEY", "sk-secret-key")
    backend = make(base_url=f"{upstream}/v1", api_key_env="BATCHYARD_TEST_KEY")
    caplog.set_level(logging.DEBUG)
    for scenario in ("ok", "bad", "overloaded", "not-json"):
        await call(backend, {"scenario": scenario, "text": "secret-body-text"})
    await call(make(base_url="http://127.0.0.1:1/v1", api_key_env="BATCHYARD_TEST_KEY"), {})
    assert caplog.records
    assert "secret-body-text" not in caplog.text
    assert "sk-secret-key" not in caplog.text


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"base_url": "api.openai.com/v1"},
        {"base_url": "http://x/v1", "timeout_seconds": 0},
        {"base_url": "http://x/v1", "headers": {"X-N": 1}},
        {"base_url": "http://x/v1", "api_key": "sk-inline"},
        {"base_url": "http://x/v1", "api_key_env": "BATCHYARD_TEST_UNSET_KEY"},
        {"base_url": "http://x/v1", "api_key_env": "sk-proj-pasted-by-mistake"},
        {"base_url": "http://x/v1", "api_key_header": "api-key"},  # no api_key_env
        {"base_url": "http://x/v1", "api_key_env": "HOME", "api_key_header": "api key"},
        {"base_url": "http://x/v1", "query": {"api-version": 2024}},
    ],
)
def test_bad_options_are_config_errors_naming_the_model(
    options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BATCHYARD_TEST_UNSET_KEY", raising=False)
    with pytest.raises(ConfigError, match="upstream-model") as raised:
        OpenAIBackend(ModelConfig("upstream-model", "openai", 4, options))
    assert "pasted-by-mistake" not in str(raised.value)
