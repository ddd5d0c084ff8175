"""Admission to one model's upstreams: who sends next, to which URL, and when.

`async with pacer.admit(tokens, interactive=...) as admission:` waits until a
URL has the request and token budget, a free in-flight slot, and no
`Retry-After` running; then the caller sends to `admission.url` and reports
the answer with `admission.observe(...)`. Waiters are served in order, with
interactive calls (synchronous API requests) ahead of batch lines. Each URL
keeps its own budgets, so a 429 slows only the URL that sent it; nothing else
in the process waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from batchyard.backends.pacing.bucket import TokenBucket
from batchyard.backends.pacing.concurrency import AdaptiveConcurrency
from batchyard.backends.pacing.pool import Pool, Upstream, UpstreamState
from batchyard.backends.pacing.ratelimit_headers import RateLimitHeaders

INITIAL_CONCURRENCY = 8  # where every upstream's in-flight limit starts its slow start
NO_RETRY_AFTER_PAUSE = 1.0  # a 429 without Retry-After from a URL of unknown limits: pause


@dataclass(frozen=True, slots=True)
class PacerLimits:
    """Configured limits per base URL; None where unknown (then learned or adapted)."""

    max_concurrency: int
    rpm: float | None = None
    tpm: float | None = None


@dataclass(order=True)
class _Waiter:
    priority: int
    seq: int
    tokens: float = field(compare=False)
    exclude: frozenset[str] = field(compare=False)
    granted: asyncio.Future[Upstream] = field(compare=False)


@dataclass
class Admission:
    """One request's turn on one URL; `observe` its answer before leaving the block."""

    pacer: Pacer
    upstream: Upstream
    tokens: float
    sent_at: float
    in_flight_at_send: int
    settled: bool = False

    @property
    def url(self) -> str:
        return self.upstream.url

    def observe(
        self,
        status: int,
        headers: Mapping[str, str],
        *,
        retry_after: float | None = None,
        used_tokens: float | None = None,
        timed_out: bool = False,
    ) -> None:
        """Learn from one answer: status 0 means none came (timeout or connection error)."""
        self.pacer._observe(self, status, headers, retry_after, used_tokens, timed_out)


class Pacer:
    """Paces one model's requests over its base URLs."""

    def __init__(
        self,
        urls: Sequence[str],
        limits: PacerLimits,
        *,
        probe: Callable[[str], Awaitable[bool]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._probe = probe
        now = clock()
        self.pool = Pool([self._upstream(url, limits, now) for url in urls])
        self._waiting: list[_Waiter] = []
        self._seq = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self._probes: set[asyncio.Task[None]] = set()

    @staticmethod
    def _upstream(url: str, limits: PacerLimits, now: float) -> Upstream:
        concurrency = AdaptiveConcurrency(INITIAL_CONCURRENCY, 1, limits.max_concurrency)
        concurrency.latency_driven = limits.rpm is None and limits.tpm is None
        return Upstream(
            url=url,
            requests=TokenBucket(limits.rpm, now),
            tokens=TokenBucket(limits.tpm, now),
            concurrency=concurrency,
            rpm_cap=limits.rpm,
            tpm_cap=limits.tpm,
        )

    @contextlib.asynccontextmanager
    async def admit(
        self, tokens: float, *, interactive: bool = False, exclude: frozenset[str] = frozenset()
    ) -> AsyncIterator[Admission]:
        """Wait for a turn; `exclude` names URLs this request already failed on."""
        loop = asyncio.get_running_loop()
        waiter = _Waiter(
            0 if interactive else 1, next(self._seq), tokens, exclude, loop.create_future()
        )
        heapq.heappush(self._waiting, waiter)
        self._pump()
        try:
            upstream = await waiter.granted
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                self._release(waiter.granted.result())
            raise
        now = self._clock()
        admission = Admission(
            self,
            upstream,
            tokens,
            now,
            upstream.in_flight,
        )
        try:
            yield admission
        finally:
            if not admission.settled:  # left without an answer (cancelled): give the budget back
                upstream.tokens.settle(tokens, 0.0, self._clock())
            self._release(upstream)

    def limits(self) -> dict[str, float]:
        """The limits in force, summed over URLs (for the `batchyard_pacer_limit` gauge)."""
        upstreams = self.pool.upstreams
        out = {"concurrency": float(sum(u.concurrency.limit for u in upstreams))}
        rpm = [u.requests.limit for u in upstreams if u.requests.limit is not None]
        tpm = [u.tokens.limit for u in upstreams if u.tokens.limit is not None]
        if rpm:
            out["rpm"] = float(sum(rpm))
        if tpm:
            out["tpm"] = float(sum(tpm))
        out["healthy_urls"] = float(sum(1 for u in upstreams if u.healthy))
        return out

    def state(self) -> list[UpstreamState]:
        """Each URL's limits and health now (for the dashboard's queue page)."""
        now = self._clock()
        return [u.state(now) for u in self.pool.upstreams]

    async def aclose(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for task in list(self._probes):
            task.cancel()
        await asyncio.gather(*self._probes, return_exceptions=True)

    # -- internals ---------------------------------------------------------------

    def _release(self, upstream: Upstream) -> None:
        upstream.in_flight -= 1
        self._pump()

    def _pump(self) -> None:
        """Grant turns to waiters in order while a URL can take the one in front."""
        now = self._clock()
        self._start_probes(now)
        while self._waiting:
            waiter = self._waiting[0]
            if waiter.granted.done():  # its caller went away
                heapq.heappop(self._waiting)
                continue
            upstream, wait = self.pool.choose(waiter.tokens, now, waiter.exclude)
            if upstream is None:
                if not math.isinf(wait):
                    self._wake_at(now + wait)
                return
            heapq.heappop(self._waiting)
            upstream.reserve(waiter.tokens, now)
            waiter.granted.set_result(upstream)

    def _wake_at(self, when: float) -> None:
        if self._timer is not None and self._timer_at <= when and not self._timer.cancelled():
            return
        if self._timer is not None:
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        self._timer_at = when
        self._timer = loop.call_later(max(0.0, when - self._clock()), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = math.inf
        self._pump()

    def _start_probes(self, now: float) -> None:
        if self._probe is None:
            return
        for upstream in self.pool.due_probes(now):
            task = asyncio.get_running_loop().create_task(self._run_probe(upstream))
            self._probes.add(task)
            task.add_done_callback(self._probes.discard)

    async def _run_probe(self, upstream: Upstream) -> None:
        assert self._probe is not None
        try:
            ok = await self._probe(upstream.url)
        except Exception:
            ok = False
        upstream.probed(ok, self._clock())
        if not ok and upstream.open_until is not None:
            self._wake_at(upstream.open_until)
        self._pump()

    def _observe(
        self,
        admission: Admission,
        status: int,
        headers: Mapping[str, str],
        retry_after: float | None,
        used_tokens: float | None,
        timed_out: bool,
    ) -> None:
        now = self._clock()
        upstream = admission.upstream
        admission.settled = True
        upstream.answered = upstream.answered or status != 0
        upstream.learn(RateLimitHeaders.parse(headers), now)
        charged = used_tokens if used_tokens is not None and 200 <= status < 300 else None
        if charged is not None:
            upstream.tokens.settle(admission.tokens, charged, now)
        elif status == 0 or status == 429 or status >= 500:
            # Refused or lost: the upstream counted nothing (OpenAI does not charge a 429).
            upstream.tokens.settle(admission.tokens, 0.0, now)
            upstream.requests.settle(1, 0.0, now)
        if status == 429:
            self._on_rate_limited(upstream, headers, retry_after, admission.sent_at, now)
        elif status == 503 or timed_out:
            upstream.concurrency.on_overload(admission.sent_at, now)
            if retry_after is not None:
                upstream.block(now + retry_after)
        if status == 0 or status >= 500:
            upstream.failed(now)
        else:
            upstream.succeeded()
        if 200 <= status < 300:
            upstream.concurrency.on_answer(
                now - admission.sent_at, admission.sent_at, admission.in_flight_at_send
            )
        self._pump()

    def _on_rate_limited(
        self,
        upstream: Upstream,
        headers: Mapping[str, str],
        retry_after: float | None,
        sent_at: float,
        now: float,
    ) -> None:
        """Wait exactly as long as the upstream says; failing that, for the budget to refill."""
        if not upstream.rate_limited:
            upstream.concurrency.on_overload(sent_at, now)
        if retry_after is not None:
            upstream.block(now + retry_after)
        elif upstream.rate_limited:
            upstream.requests.cap(0.0, now)
            upstream.tokens.cap(0.0, now)
        else:
            upstream.block(now + NO_RETRY_AFTER_PAUSE)
