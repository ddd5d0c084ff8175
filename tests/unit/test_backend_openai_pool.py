"""The openai backend over several base URLs, against two real local HTTP servers.

Each server is a small Starlette app under uvicorn; a flag turns it down (503
to everything, the health check included) or back up. Nothing is mocked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request as HTTPRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tests.threaded_server import serving

from batchyard.backends import Request, Result
from batchyard.backends.openai import OpenAIBackend
from batchyard.config import ConfigError, ModelConfig


@dataclass
class Upstream:
    """One test server: what it answers and what it saw."""

    down: bool = False
    refuse_next: int = 0  # answer this many chat requests with a 429 first
    posts: list[float] = field(default_factory=list)
    probes: int = 0
    url: str = ""

    def app(self) -> Starlette:
        async def chat(request: HTTPRequest) -> Response:
            await request.body()
            self.posts.append(time.monotonic())
            if self.down:
                return JSONResponse({"error": {"message": "down"}}, status_code=503)
            if self.refuse_next > 0:
                self.refuse_next -= 1
                error = {"message": "slow down", "type": "tokens", "code": "rate_limit_exceeded"}
                return JSONResponse({"error": error}, 429, headers={"retry-after-ms": "400"})
            usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
            return JSONResponse({"object": "chat.completion", "server": self.url, "usage": usage})

        async def models(request: HTTPRequest) -> Response:
            self.probes += 1
            if self.down:
                return JSONResponse({"error": {"message": "down"}}, status_code=503)
            return JSONResponse({"object": "list", "data": []})

        return Starlette(
            routes=[
                Route("/v1/chat/completions", chat, methods=["POST"]),
                Route("/v1/models", models, methods=["GET"]),
            ]
        )


@pytest.fixture
def servers() -> Iterator[tuple[Upstream, Upstream]]:
    """Two upstreams on their own ports, each served by uvicorn in a thread."""
    pair = (Upstream(), Upstream())
    with serving(pair[0].app()) as first, serving(pair[1].app()) as second:
        pair[0].url, pair[1].url = f"{first}/v1", f"{second}/v1"
        yield pair


@pytest.fixture
async def make() -> AsyncIterator[Callable[..., OpenAIBackend]]:
    built: list[OpenAIBackend] = []

    def build(name: str = "pooled", **options: Any) -> OpenAIBackend:
        backend = OpenAIBackend(ModelConfig(name, "openai", 4, options))
        built.append(backend)
        return backend

    yield build
    for backend in built:
        await backend.aclose()


async def send(backend: OpenAIBackend, i: int = 0) -> Result:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    (result,) = await backend.run([Request("/v1/chat/completions", body, f"c{i}")])
    return result


async def test_lines_fail_over_and_a_failing_url_is_taken_out(
    servers: tuple[Upstream, Upstream], make: Callable[..., OpenAIBackend]
) -> None:
    a, b = servers
    a.down = True
    backend = make(base_urls=[a.url, b.url])
    results = [await send(backend, i) for i in range(20)]
    assert [r.status_code for r in results] == [200] * 20
    assert {r.body["server"] for r in results} == {b.url}
    assert len(a.posts) == 3  # three failures in a row, then no more lines go there
    assert backend.pacing_limits()["healthy_urls"] == 1


async def test_a_url_that_recovers_passes_its_health_check_and_takes_lines_again(
    servers: tuple[Upstream, Upstream], make: Callable[..., OpenAIBackend]
) -> None:
    a, b = servers
    a.down = True
    backend = make(base_urls=[a.url, b.url])
    for i in range(5):
        await send(backend, i)
    assert backend.pacing_limits()["healthy_urls"] == 1
    a.down = False
    served: set[str] = set()
    deadline = time.monotonic() + 15
    while a.url not in served:
        assert time.monotonic() < deadline, "the recovered URL never got lines again"
        served.add((await send(backend)).body["server"])
        await asyncio.sleep(0.05)
    assert a.probes >= 1
    assert backend.pacing_limits()["healthy_urls"] == 2


async def test_with_every_url_down_lines_fail_fast_for_the_engine_to_retry(
    servers: tuple[Upstream, Upstream], make: Callable[..., OpenAIBackend]
) -> None:
    a, b = servers
    a.down = b.down = True
    backend = make(base_urls=[a.url, b.url])
    started = time.monotonic()
    results = [await send(backend, i) for i in range(6)]
    assert time.monotonic() - started < 5
    assert {r.status_code for r in results} == {503}
    assert all(r.retryable for r in results)


async def test_retry_after_is_honoured_exactly_and_only_for_its_model(
    servers: tuple[Upstream, Upstream], make: Callable[..., OpenAIBackend]
) -> None:
    a, _ = servers
    a.refuse_next = 1
    limited = make("limited", base_url=a.url)
    other = make("other", base_url=a.url)
    refused = await send(limited)
    assert refused.status_code == 429
    assert refused.retry_after == 0.4
    assert (await send(other)).status_code == 200  # another model: not held back
    assert a.posts[1] - a.posts[0] < 0.3
    assert (await send(limited)).status_code == 200
    assert a.posts[2] - a.posts[0] >= 0.4  # this one waited the full 400 ms


@pytest.mark.parametrize(
    "options",
    [
        {"base_url": "http://x/v1", "base_urls": ["http://y/v1"]},
        {"base_urls": []},
        {"base_urls": ["http://x/v1", "ftp://y/v1"]},
        {"base_urls": ["http://x/v1", "http://x/v1"]},
        {"base_urls": "http://x/v1"},
        {"base_url": "http://x/v1", "tpm": 0},
        {"base_url": "http://x/v1", "rpm": "fast"},
    ],
)
def test_bad_pool_options_are_config_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="pooled"):
        OpenAIBackend(ModelConfig("pooled", "openai", 4, options))


def test_limits_are_options_of_the_model() -> None:
    backend = OpenAIBackend(
        ModelConfig("pooled", "openai", 4, {"base_urls": ["http://x/v1"], "rpm": 500, "tpm": 9e4})
    )
    assert backend.pacing_limits() == {
        "concurrency": 4,
        "rpm": 500,
        "tpm": 90000,
        "healthy_urls": 1,
    }
    assert backend.max_in_flight == 4
