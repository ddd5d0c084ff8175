"""The base URLs of one model: which one takes the next request, and which are out.

Each `Upstream` has its own budgets (requests and tokens per minute), its own
in-flight limit, the instant its last `Retry-After` ends, and a circuit
breaker. `Pool.choose` picks the URL that can take a request soonest, the least
loaded one among those that can take it now, so load follows capacity. A URL
whose breaker is open is skipped while any other is usable; the pacer probes it
and closes the breaker when it answers again. All time is passed in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from batchyard.backends.pacing.bucket import TokenBucket
from batchyard.backends.pacing.concurrency import AdaptiveConcurrency
from batchyard.backends.pacing.ratelimit_headers import RateLimitHeaders

FAILURES_TO_OPEN = 3  # consecutive failures (no answer, 5xx) that take a URL out
FIRST_COOLDOWN = 1.0  # seconds before the first health probe; doubles per failed probe
MAX_COOLDOWN = 30.0


@dataclass(frozen=True, slots=True)
class UpstreamState:
    """What the dashboard shows of one base URL: limits declared and in force, health."""

    url: str
    healthy: bool
    in_flight: int
    concurrency: int  # the adaptive in-flight limit now
    max_concurrency: int
    slow_start: bool
    latency_driven: bool  # no rate limit known: the limit follows latency
    rpm_declared: float | None  # configured ceilings
    tpm_declared: float | None
    rpm: float | None  # in force: learned from the upstream's headers, under the ceiling
    tpm: float | None
    retry_after_left: float  # seconds of the last Retry-After still to run
    failures: int  # in a row; FAILURES_TO_OPEN take the URL out


@dataclass
class Upstream:
    """One base URL and everything known about its limits and health."""

    url: str
    requests: TokenBucket
    tokens: TokenBucket
    concurrency: AdaptiveConcurrency
    rpm_cap: float | None = None  # configured ceilings: learned limits never exceed them
    tpm_cap: float | None = None
    in_flight: int = 0
    blocked_until: float = 0.0  # the end of the last Retry-After
    failures: int = 0
    open_until: float | None = None  # breaker open: probe after this instant
    cooldown: float = FIRST_COOLDOWN
    probing: bool = False
    # Until the first answer, one request at a time: it shows whether the budget is
    # really there (a key already used to its limit) before a burst of 429s could.
    answered: bool = False

    @property
    def healthy(self) -> bool:
        return self.open_until is None

    @property
    def rate_limited(self) -> bool:
        return self.requests.known or self.tokens.known

    def ready_in(self, tokens: float, now: float) -> float:
        """Seconds until this URL can take a request of `tokens`; inf while it is full."""
        if self.in_flight >= (self.concurrency.limit if self.answered else 1):
            return math.inf
        return max(
            self.blocked_until - now,
            self.requests.wait(1, now),
            self.tokens.wait(tokens, now),
            0.0,
        )

    def reserve(self, tokens: float, now: float) -> None:
        self.requests.take(1, now)
        self.tokens.take(tokens, now)
        self.in_flight += 1

    def learn(self, headers: RateLimitHeaders, now: float) -> None:
        """Adopt published limits; lower the budgets to what the upstream says is left.

        `remaining` is read as of the answer, which is when it is measured by
        OpenAI and by the fake upstream in bench/: it already counts every
        request of ours that the upstream had admitted by then.
        """
        for bucket, limit, cap in (
            (self.requests, headers.limit_requests, self.rpm_cap),
            (self.tokens, headers.limit_tokens, self.tpm_cap),
        ):
            if limit is not None:
                wanted = limit if cap is None else min(limit, cap)
                if wanted != bucket.limit:
                    bucket.set_limit(wanted, now)
        self.concurrency.latency_driven = not self.rate_limited
        if headers.remaining_tokens is not None:
            self.tokens.cap(headers.remaining_tokens, now)
        if headers.remaining_requests is not None:
            self.requests.cap(headers.remaining_requests, now)

    def state(self, now: float) -> UpstreamState:
        return UpstreamState(
            url=self.url,
            healthy=self.healthy,
            in_flight=self.in_flight,
            concurrency=self.concurrency.limit,
            max_concurrency=self.concurrency.maximum,
            slow_start=self.concurrency.slow_start,
            latency_driven=self.concurrency.latency_driven,
            rpm_declared=self.rpm_cap,
            tpm_declared=self.tpm_cap,
            rpm=self.requests.limit,
            tpm=self.tokens.limit,
            retry_after_left=max(0.0, self.blocked_until - now),
            failures=self.failures,
        )

    def block(self, until: float) -> None:
        """Send nothing here before `until` (a Retry-After)."""
        self.blocked_until = max(self.blocked_until, until)

    def succeeded(self) -> None:
        self.failures = 0

    def failed(self, now: float) -> None:
        """No answer or a 5xx: enough of them in a row take the URL out."""
        self.failures += 1
        if self.failures >= FAILURES_TO_OPEN and self.open_until is None:
            self.open_until = now + self.cooldown

    def probed(self, ok: bool, now: float) -> None:
        self.probing = False
        if ok:
            self.open_until = None
            self.failures = 0
            self.cooldown = FIRST_COOLDOWN
        else:
            self.cooldown = min(MAX_COOLDOWN, self.cooldown * 2)
            self.open_until = now + self.cooldown


class Pool:
    """The upstreams of one model."""

    def __init__(self, upstreams: Sequence[Upstream]) -> None:
        if not upstreams:
            raise ValueError("a pool needs at least one upstream")
        self.upstreams = list(upstreams)

    def choose(
        self, tokens: float, now: float, exclude: frozenset[str] = frozenset()
    ) -> tuple[Upstream | None, float]:
        """(the URL to use now, 0) or (None, seconds to wait; inf until a request ends).

        Healthy URLs not in `exclude` first; when there are none, any URL, so a
        model whose every URL is down still fails its lines fast instead of hanging.
        """
        candidates = [u for u in self.upstreams if u.healthy and u.url not in exclude]
        if not candidates:
            candidates = [u for u in self.upstreams if u.url not in exclude] or self.upstreams
        best: Upstream | None = None
        best_key = (math.inf, math.inf)
        for upstream in candidates:
            wait = upstream.ready_in(tokens, now)
            load = upstream.in_flight / max(1, upstream.concurrency.limit)
            key = (wait, load)
            if key < best_key:
                best, best_key = upstream, key
        if best is None or best_key[0] > 0:
            return None, best_key[0]
        return best, 0.0

    def due_probes(self, now: float) -> list[Upstream]:
        """Out-of-service URLs whose cooldown is over and that no probe is checking yet."""
        due = [
            u
            for u in self.upstreams
            if u.open_until is not None and u.open_until <= now and not u.probing
        ]
        for upstream in due:
            upstream.probing = True
        return due
