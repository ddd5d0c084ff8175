"""The pacer's admission: priorities, Retry-After to the instant, per-URL budgets, capacity."""

from __future__ import annotations

import asyncio
import time

import pytest

from batchyard.backends.pacing import Pacer, PacerLimits
from batchyard.backends.pacing.bucket import TokenBucket
from batchyard.backends.pacing.concurrency import AdaptiveConcurrency
from batchyard.backends.pacing.pool import Pool, Upstream
from batchyard.engine.retry import RetryPolicy

A, B = "http://a/v1", "http://b/v1"


def upstream(url: str, *, tpm: float | None = None, limit: int = 8, now: float = 0.0) -> Upstream:
    concurrency = AdaptiveConcurrency(limit, 1, limit)
    found = Upstream(url, TokenBucket(None, now), TokenBucket(tpm, now), concurrency, tpm_cap=tpm)
    found.answered = True
    return found


def test_retry_after_blocks_its_url_to_the_instant_and_no_other() -> None:
    a, b = upstream(A), upstream(B)
    pool = Pool([a, b])
    a.block(until=10.0 + 1.5)  # a 429 at t=10 with retry-after-ms: 1500
    assert a.ready_in(1, now=10.0) == pytest.approx(1.5)
    assert a.ready_in(1, now=11.499) == pytest.approx(0.001)
    assert a.ready_in(1, now=11.5) == 0.0
    assert b.ready_in(1, now=10.0) == 0.0
    assert pool.choose(1, now=10.0) == (b, 0.0)
    assert pool.choose(1, now=10.0, exclude=frozenset({B})) == (None, pytest.approx(1.5))


def test_load_follows_capacity() -> None:
    big, small = upstream(A, tpm=60_000), upstream(B, tpm=15_000)
    pool = Pool([big, small])
    sent = {A: 0, B: 0}
    now = 0.0
    for _ in range(2000):  # 100-token requests, as fast as the budgets allow
        chosen, wait = pool.choose(100, now)
        if chosen is None:
            now += wait
            continue
        chosen.reserve(100, now)
        chosen.in_flight -= 1  # answered at once
        sent[chosen.url] += 1
    share = sent[A] / (sent[A] + sent[B])
    assert share == pytest.approx(0.8, abs=0.05)  # 60k of the 75k tokens per minute


def test_a_url_out_of_service_is_skipped_while_another_works() -> None:
    a, b = upstream(A), upstream(B)
    pool = Pool([a, b])
    for _ in range(3):
        a.failed(now=0.0)
    assert not a.healthy
    assert pool.choose(1, now=0.0) == (b, 0.0)
    assert pool.due_probes(now=0.5) == []
    assert pool.due_probes(now=1.0) == [a]
    a.probed(ok=True, now=1.0)
    assert a.healthy


def test_with_every_url_out_lines_still_go_and_fail_fast() -> None:
    a = upstream(A)
    for _ in range(3):
        a.failed(now=0.0)
    assert Pool([a]).choose(1, now=0.0) == (a, 0.0)


async def test_interactive_calls_go_ahead_of_queued_batch_lines() -> None:
    pacer = Pacer([A], PacerLimits(max_concurrency=1, rpm=1e9))
    order: list[str] = []

    async def line(name: str, interactive: bool = False) -> None:
        async with pacer.admit(1, interactive=interactive) as admission:
            order.append(name)
            admission.observe(200, {})

    async with pacer.admit(1) as first:
        tasks = [asyncio.create_task(line(f"batch{i}")) for i in range(3)]
        await asyncio.sleep(0.01)
        tasks.append(asyncio.create_task(line("sync", interactive=True)))
        await asyncio.sleep(0.01)
        first.observe(200, {})
    await asyncio.gather(*tasks)
    assert order == ["sync", "batch0", "batch1", "batch2"]
    await pacer.aclose()


async def test_a_429_holds_back_its_url_until_retry_after_and_others_go_on() -> None:
    pacer = Pacer([A, B], PacerLimits(max_concurrency=4))
    async with pacer.admit(1, exclude=frozenset({B})) as admission:
        refused_at = time.monotonic()
        admission.observe(429, {"retry-after-ms": "400"}, retry_after=0.4)
    async with pacer.admit(1, exclude=frozenset({A})) as other:
        assert other.url == B
        assert time.monotonic() - refused_at < 0.2
        other.observe(200, {})
    async with pacer.admit(1, exclude=frozenset({B})) as again:
        assert again.url == A
        assert time.monotonic() - refused_at >= 0.4
        again.observe(200, {})
    await pacer.aclose()


async def test_learned_limits_come_from_the_headers() -> None:
    pacer = Pacer([A], PacerLimits(max_concurrency=8))
    async with pacer.admit(10) as admission:
        admission.observe(
            200,
            {
                "x-ratelimit-limit-requests": "500",
                "x-ratelimit-limit-tokens": "30000",
                "x-ratelimit-remaining-requests": "499",
                "x-ratelimit-remaining-tokens": "100",
                "x-ratelimit-reset-tokens": "59.8s",
            },
            used_tokens=10,
        )
    assert pacer.limits()["rpm"] == 500
    assert pacer.limits()["tpm"] == 30000
    (only,) = pacer.pool.upstreams
    assert only.tokens.level <= 100
    assert not only.concurrency.latency_driven  # a published limit: no guessing from latency
    await pacer.aclose()


def test_429s_are_retried_past_max_attempts_until_the_deadline() -> None:
    policy = RetryPolicy(max_attempts=3, deadline_margin_seconds=5)
    assert policy.should_retry(10, now=0, delay=1, deadline=100, status=429)
    assert not policy.should_retry(10, now=0, delay=1, deadline=100, status=503)
    assert not policy.should_retry(10, now=90, delay=6, deadline=100, status=429)
    assert policy.delay(10, retry_after=1.5) == 1.5  # the upstream's word, exactly
