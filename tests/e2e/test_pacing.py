"""`batchyard run` against the bench's fake upstream: paced to its limits, not flooding it.

The fake (bench/fake_upstream.py) is a real HTTP server in a thread of this
process; batchyard runs as the CLI in a child process, as a user runs it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from bench.fake_upstream import FakeSettings, FakeUpstream

from batchyard.testing import write_config


class FakeThread:
    """The fake upstream on its own event loop in a daemon thread."""

    def __init__(self, settings: FakeSettings) -> None:
        self.upstream = FakeUpstream(settings)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.upstream:
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> FakeUpstream:
        self._thread.start()
        assert self._ready.wait(10), "the fake upstream did not start"
        return self.upstream

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)


def chat_batch(lines: int) -> bytes:
    out = []
    for i in range(lines):
        text = f"Ticket {i}: the export to CSV times out " + "again " * (i % 20)
        body = {
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": text}],
            "max_tokens": 16,
        }
        line = {"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions"}
        out.append(orjson.dumps({**line, "body": body}))
    return b"\n".join(out) + b"\n"


def run_batch(tmp_path: Path, url: str, lines: int, **options: Any) -> list[dict[str, Any]]:
    model = {"name": "gpt-4o-mini", "backend": "openai", "max_concurrency": 128, "base_url": url}
    config = write_config(tmp_path / "batchyard.toml", models=[{**model, **options}])
    (tmp_path / "requests.jsonl").write_bytes(chat_batch(lines))
    done = subprocess.run(
        [sys.executable, "-m", "batchyard", "run", "requests.jsonl", "--config", str(config)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    output = (tmp_path / "requests.output.jsonl").read_bytes().splitlines()
    return [orjson.loads(line) for line in output]


@pytest.fixture
def rate_limited() -> Iterator[FakeUpstream]:
    # ~200 lines x ~40 tokens at 120k TPM: about 4 s at the limit, from an empty budget.
    settings = FakeSettings(mode="rate", rpm=20_000, tpm=120_000, start_empty=True)
    with FakeThread(settings) as upstream:
        yield upstream


def test_a_rate_limited_upstream_is_used_at_its_limit_with_hardly_a_429(
    tmp_path: Path, rate_limited: FakeUpstream
) -> None:
    results = run_batch(tmp_path, rate_limited.url, 200)  # limits learned from the headers
    assert sorted(r["custom_id"] for r in results) == sorted(f"r{i}" for i in range(200))
    assert all(r["response"]["status_code"] == 200 for r in results)
    stats = rate_limited.stats
    assert stats.total_tokens == sum(
        r["response"]["body"]["usage"]["total_tokens"] for r in results
    )
    minimum = stats.total_tokens / (120_000 / 60)
    span = stats.last_response_at - stats.first_request_at
    assert span >= 0.8 * minimum  # the fake's budget really bound the run
    assert span <= 2 * minimum + 10  # ... and batchyard kept up with it
    assert stats.rate_limited <= 4  # the first answer says the budget is empty; then paced


@pytest.fixture
def queueing_engine() -> Iterator[FakeUpstream]:
    settings = FakeSettings(mode="concurrency", knee=8, base_latency=0.05, per_token_latency=0.003)
    with FakeThread(settings) as upstream:
        yield upstream


def test_a_queueing_engine_is_kept_near_its_knee_not_flooded(
    tmp_path: Path, queueing_engine: FakeUpstream
) -> None:
    results = run_batch(tmp_path, queueing_engine.url, 300)
    assert len(results) == 300
    assert all(r["response"]["status_code"] == 200 for r in results)
    # max_concurrency is 128 and 300 lines wait: a fixed semaphore would send 128 at once.
    assert queueing_engine.stats.max_in_flight <= 4 * 8
