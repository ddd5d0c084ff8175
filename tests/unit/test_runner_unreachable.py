"""A shard runner whose upstream refuses connections for a while (restarting, redeployed).

Found with llama.cpp's server killed and restarted mid-batch: each line spent its
few attempts in seconds and failed for good. A try refused at the door never
reached the model, so the runner now waits out such an outage for up to
`unreachable_seconds`, whatever the attempt count, and only then fails the lines.
The backend is the real `openai` one over real sockets: a port where nothing
listens, then the fake upstream started on that port.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from bench.fake_upstream import FakeSettings, FakeUpstream
from tests.unit.test_runner_outages import claim_one

from batchyard.backends import create_backend
from batchyard.blobs import LocalBlobStore
from batchyard.config import EngineSettings, ModelConfig
from batchyard.engine import journal
from batchyard.engine.retry import RetryPolicy
from batchyard.engine.runner import ShardRunner
from batchyard.store import Store
from batchyard.testing import free_port

LINES = 20
QUICK = RetryPolicy(max_attempts=2, base_seconds=0.05, max_seconds=0.2)


@pytest.fixture
def parts(tmp_path: Path) -> tuple[Store, LocalBlobStore]:
    return Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}"), LocalBlobStore(tmp_path / "blobs")


def runner(store: Store, blobs: LocalBlobStore, port: int, policy: RetryPolicy) -> ShardRunner:
    options = {"base_url": f"http://127.0.0.1:{port}/v1", "timeout_seconds": 5}
    return ShardRunner(
        claim_one(store, blobs, LINES),
        backend=create_backend(ModelConfig("m", "openai", options=options)),
        limiter=asyncio.Semaphore(4),
        store=store,
        blobs=blobs,
        settings=EngineSettings(checkpoint_seconds=0.05),
        policy=policy,
    )


async def test_lines_wait_for_an_upstream_that_comes_back(
    parts: tuple[Store, LocalBlobStore],
) -> None:
    store, blobs = parts
    port = free_port()
    run = runner(store, blobs, port, QUICK)
    task = asyncio.create_task(run.run())
    await asyncio.sleep(1.5)  # many times what two attempts take
    assert not task.done()
    settings = FakeSettings(base_latency=0.0, per_token_latency=0.0, rpm=10**6, tpm=10**9)
    async with FakeUpstream(settings, port=port):
        await asyncio.wait_for(task, timeout=30)
    await run.backend.aclose()
    done, progress = journal.recover(blobs, run.shard)
    assert len(done) == LINES and progress.completed == LINES and progress.failed == 0


async def test_an_upstream_that_stays_down_fails_the_lines_in_bounded_time(
    parts: tuple[Store, LocalBlobStore],
) -> None:
    store, blobs = parts
    policy = RetryPolicy(max_attempts=2, base_seconds=0.05, max_seconds=0.1, unreachable_seconds=1)
    run = runner(store, blobs, free_port(), policy)
    await asyncio.wait_for(run.run(), timeout=20)
    await run.backend.aclose()
    done, progress = journal.recover(blobs, run.shard)
    assert len(done) == LINES and progress.failed == LINES
