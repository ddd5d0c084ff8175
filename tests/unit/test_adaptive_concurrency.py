"""Adaptive concurrency finds a queueing server's knee: a simulated engine on a simulated clock.

The engine runs at most K requests at once and queues the rest (FIFO), like
vLLM with max_num_seqs = K. Its best throughput needs K in flight; more only
adds queueing delay.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from dataclasses import dataclass

import pytest

from batchyard.backends.pacing.concurrency import AdaptiveConcurrency


@dataclass
class Job:
    sent_at: float
    in_flight_at_send: int
    work: float


def simulate(knee: int, answers: int, seed: int = 1) -> tuple[AdaptiveConcurrency, float, float]:
    """(the controller, throughput over the second half, the knee's throughput)."""
    rng = random.Random(seed)
    limit = AdaptiveConcurrency(8, 1, 1024)
    now, in_flight, done, seq = 0.0, 0, 0, 0
    running: list[tuple[float, int, Job]] = []
    waiting: deque[Job] = deque()
    half_at = 0.0
    while done < answers:
        while in_flight < limit.limit:
            job = Job(now, in_flight, rng.uniform(0.05, 0.35))
            in_flight += 1
            if len(running) < knee:
                heapq.heappush(running, (now + job.work, seq := seq + 1, job))
            else:
                waiting.append(job)
        now, _, job = heapq.heappop(running)
        in_flight -= 1
        done += 1
        limit.on_answer(now - job.sent_at, job.sent_at, job.in_flight_at_send)
        if waiting:
            queued = waiting.popleft()
            heapq.heappush(running, (now + queued.work, seq := seq + 1, queued))
        if done == answers // 2:
            half_at = now
    return limit, (answers - answers // 2) / (now - half_at), knee / 0.2


@pytest.mark.parametrize("knee", [8, 32, 128])
def test_converges_to_the_knee_without_flooding(knee: int) -> None:
    limit, throughput, best = simulate(knee, answers=knee * 400)
    assert throughput >= 0.9 * best
    assert knee <= limit.limit <= 1.6 * knee + 2


def test_a_fixed_limit_below_the_knee_would_fail_the_same_check() -> None:
    """The check above can fail: a controller stuck at half the knee gets half the throughput."""
    rng = random.Random(1)
    works = [rng.uniform(0.05, 0.35) for _ in range(10_000)]
    half_knee_throughput = 16 / (sum(works) / len(works))
    assert half_knee_throughput < 0.9 * (32 / 0.2)


def test_overload_halves_once_per_burst() -> None:
    limit = AdaptiveConcurrency(64, 1, 128)
    limit.on_overload(sent_at=1.0, now=2.0)
    assert limit.limit == 32
    limit.on_overload(sent_at=1.5, now=2.1)  # sent before the cut: the same burst
    assert limit.limit == 32
    limit.on_overload(sent_at=2.5, now=3.0)
    assert limit.limit == 16
    assert not limit.slow_start


def test_stays_between_its_bounds() -> None:
    limit = AdaptiveConcurrency(4, 2, 6)
    for i in range(200):
        limit.on_answer(0.1, sent_at=float(i), in_flight_at_send=limit.limit)
    assert limit.limit == 6
    for i in range(10):
        limit.on_overload(sent_at=1000.0 + i, now=1000.5 + i)
    assert limit.limit == 2
