"""A shard runner on the paced openai backend: 429s wait their turn past max_attempts, and
the limits the pacer learns reach the `batchyard_pacer_limit` gauge."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request as HTTPRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tests.threaded_server import serving
from tests.unit.test_runner_outages import FlakyStore, claim_one

from batchyard.backends import create_backend
from batchyard.blobs import LocalBlobStore
from batchyard.config import EngineSettings, ModelConfig
from batchyard.engine import journal
from batchyard.engine.retry import RetryPolicy
from batchyard.engine.runner import ShardRunner
from batchyard.metrics import Metrics

LIMITS = {
    "x-ratelimit-limit-requests": "6000",
    "x-ratelimit-limit-tokens": "900000",
    "x-ratelimit-remaining-requests": "5999",
    "x-ratelimit-remaining-tokens": "899000",
    "x-ratelimit-reset-requests": "10ms",
    "x-ratelimit-reset-tokens": "66ms",
}
attempts: dict[str, int] = {}


async def chat(request: HTTPRequest) -> Response:
    body = await request.json()
    key = body["messages"][0]["content"]
    attempts[key] = attempts.get(key, 0) + 1
    if attempts[key] <= 4:  # four 429s per line, more than max_attempts allows
        error = {"message": "Rate limit reached", "type": "tokens", "code": "rate_limit_exceeded"}
        return JSONResponse({"error": error}, 429, headers={"retry-after-ms": "20", **LIMITS})
    usage = {"prompt_tokens": 8, "completion_tokens": 2, "total_tokens": 10}
    return JSONResponse({"object": "chat.completion", "usage": usage}, headers=LIMITS)


@pytest.fixture
def upstream() -> Iterator[str]:
    app = Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])
    with serving(app) as url:
        yield f"{url}/v1"


async def test_429s_are_retried_past_max_attempts_and_limits_reach_the_gauge(
    tmp_path: Path, upstream: str
) -> None:
    store = FlakyStore.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert isinstance(store, FlakyStore)
    blobs = LocalBlobStore(tmp_path / "blobs")
    claim = claim_one(store, blobs, 1)  # one line, "hi": the server refuses it four times
    attempts.clear()
    metrics = Metrics()
    backend = create_backend(ModelConfig("m", "openai", 4, {"base_url": upstream}))
    runner = ShardRunner(
        claim,
        backend=backend,
        limiter=asyncio.Semaphore(4),
        store=store,
        blobs=blobs,
        settings=EngineSettings(checkpoint_seconds=0.05),
        policy=RetryPolicy(max_attempts=2, base_seconds=0.01),
        metrics=metrics,
    )
    await asyncio.wait_for(runner.run(), timeout=30)
    await backend.aclose()
    _, progress = journal.recover(blobs, claim.shard)
    assert progress.completed == 1 and progress.failed == 0
    assert sum(attempts.values()) == 5
    text = metrics.render().decode()
    assert 'batchyard_pacer_limit{limit="tpm",model="m"} 900000.0' in text
    assert 'batchyard_pacer_limit{limit="rpm",model="m"} 6000.0' in text
