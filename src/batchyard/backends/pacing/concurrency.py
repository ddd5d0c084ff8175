"""How many requests one upstream gets at once, found by watching its latency.

A server that queues internally (vLLM with `max_num_seqs`, a GPU at its
throughput knee) answers more slowly once it is full, without ever refusing.
So the limit follows TCP Vegas, measuring the queue by its delay: per round
(one round = `limit` answers, at least `MIN_ROUND`) the fast end of the round's
latencies (its 10th percentile: short requests, which in a FIFO queue wait as
long as any) is compared with the fastest round's. The difference `delay` is
the time spent queued, so `limit * delay / mean` requests wait (Little's law).
Comparing means instead would mistake a round of long requests for a queue.
The fastest round is remembered for good (a server that got slower for good
shows as cuts in a row, which start the measure afresh).
Few queued: grow (double in slow start, then by 1/16). Many queued: cut to the
estimated knee plus headroom; in between, hold. Answers to requests sent before
a cut are ignored (they waited in the old, longer queue). 429, 503 and timeouts
halve the limit at once. With `latency_driven` off (the upstream publishes rate
limits) latency is ignored and only failures cut the limit, which climbs back.
"""

from __future__ import annotations

import math

CUTS_TO_REBASE = 5  # cuts in a row, never a growth between: the server got slower for good
MIN_ROUND = 64  # answers per round at least: fewer make the mean too noisy to act on
MIN_SLOW_START_ROUND = 16  # ... while doubling, where only a large jump in latency matters
QUEUE_LOW = 0.12  # queued share of the limit below which it grows
QUEUE_HIGH = 0.33  # ... above which it is cut to the knee; in between it holds
HEADROOM = 0.15  # share kept above the estimated knee, so the server never idles


class AdaptiveConcurrency:
    """The in-flight limit of one upstream, between `minimum` and `maximum`."""

    def __init__(self, initial: int, minimum: int, maximum: int) -> None:
        self.minimum = max(1, minimum)
        self.maximum = max(self.minimum, maximum)
        self.limit = min(max(initial, self.minimum), self.maximum)
        self.latency_driven = True
        self.slow_start = True
        self._round_latencies: list[float] = []
        self._round_busy = 0  # answers of this round sent while the limit was (nearly) full
        # The fastest round ever, not of a recent window: a window forgets the empty
        # server while a small queue persists, and the limit then creeps up with it.
        self._best_low = float("inf")
        self._cuts_in_a_row = 0
        self._cut_at = float("-inf")  # answers to requests sent before this are stale

    def on_answer(self, latency: float, sent_at: float, in_flight_at_send: int) -> None:
        """One answer that came back in `latency` seconds, to a request sent at `sent_at`
        when `in_flight_at_send` others were out."""
        if sent_at < self._cut_at:
            return
        self._round_latencies.append(latency)
        if in_flight_at_send >= self.limit * 0.9 - 1:
            self._round_busy += 1
        least = MIN_SLOW_START_ROUND if self.slow_start else MIN_ROUND
        if len(self._round_latencies) >= max(self.limit, least):
            self._end_round(sent_at + latency)

    def on_overload(self, sent_at: float, now: float) -> None:
        """The upstream refused or timed out a request sent at `sent_at`: halve the limit,
        once per burst (refusals of requests sent before the last cut are that burst)."""
        if sent_at < self._cut_at:
            return
        self.slow_start = False
        self._cut(max(self.minimum, self.limit // 2), now)

    def _cut(self, limit: int, now: float) -> None:
        self.limit = limit
        self._cut_at = now
        self._round_latencies = []
        self._round_busy = 0

    def _end_round(self, now: float) -> None:
        latencies = sorted(self._round_latencies)
        mean = sum(latencies) / len(latencies)
        low = latencies[len(latencies) // 10]
        busy = self._round_busy >= len(latencies) // 2
        full_round = len(latencies) >= MIN_ROUND
        self._round_latencies = []
        self._round_busy = 0
        if not self.latency_driven:
            # The budgets pace; the limit only needs to keep up with them. Growing it
            # only when it is full keeps connections (and their upkeep) to what the
            # rate needs.
            if busy:
                grown = self.limit * 2 if self.slow_start else self.limit + max(1, self.limit // 8)
                self.limit = min(self.maximum, grown)
            return
        if full_round or math.isinf(self._best_low):
            self._best_low = min(self._best_low, low)
        if mean <= 0:
            return
        delay = max(0.0, low - self._best_low)
        queued = self.limit * min(1.0, delay / mean)
        if queued > QUEUE_HIGH * self.limit and queued > 2:
            knee = self.limit - queued
            self.slow_start = False
            limit = round(knee * (1 + HEADROOM)) + 1
            self._cut(max(self.minimum, min(self.maximum, limit)), now)
            self._cuts_in_a_row += 1
            if self._cuts_in_a_row >= CUTS_TO_REBASE:
                self._best_low, self._cuts_in_a_row = low, 0
        elif busy and queued < max(QUEUE_LOW * self.limit, 1.0):
            self._cuts_in_a_row = 0
            grown = self.limit * 2 if self.slow_start else self.limit + max(1, self.limit // 16)
            self.limit = min(self.maximum, grown)
