"""How many requests one upstream gets at once, found by watching its latency.

A server that queues internally (vLLM with `max_num_seqs`, a GPU at its
throughput knee) answers more slowly once it is full, without ever refusing.
So the limit follows TCP Vegas: per round (one round = `limit` answers) compare
the round's mean latency with the best round's mean; the ratio says how many
requests wait in a queue (`limit * (1 - best / mean)`). Few queued: grow (double
in slow start, then +1). Many queued: cut to the estimated knee plus a little
headroom. 429, 503 and timeouts halve the limit at once. With `latency_driven`
off (the upstream publishes rate limits) latency is ignored and only failures
cut the limit, which then climbs back.
"""

from __future__ import annotations

import math
from collections import deque

ROUNDS_REMEMBERED = 20  # the best round is looked for among this many recent ones
QUEUE_LOW = 0.05  # queued share of the limit below which it grows
QUEUE_HIGH = 0.15  # ... above which it is cut to the knee
HEADROOM = 0.08  # share kept above the estimated knee, so the server never idles


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
        self._round_means: deque[float] = deque(maxlen=ROUNDS_REMEMBERED)
        self._settling = False  # the round after a cut still holds answers sent before it

    def on_answer(self, latency: float, in_flight_at_send: int) -> None:
        """One answer that came back in `latency` seconds; it was sent alongside others."""
        self._round_latencies.append(latency)
        if in_flight_at_send >= self.limit * 0.9 - 1:
            self._round_busy += 1
        if len(self._round_latencies) >= max(self.limit, 4):
            self._end_round()

    def on_overload(self) -> None:
        """The upstream refused or timed out: halve now (once per round), and stop doubling."""
        if self._settling:
            return
        self.slow_start = False
        self.limit = max(self.minimum, self.limit // 2)
        self._round_latencies.clear()
        self._round_busy = 0
        self._settling = True

    def _end_round(self) -> None:
        latencies = self._round_latencies
        mean = sum(latencies) / len(latencies)
        busy = self._round_busy >= len(latencies) // 2
        self._round_latencies = []
        self._round_busy = 0
        if self._settling:
            self._settling = False
            return
        if not self.latency_driven:
            if busy:
                self.limit = min(self.maximum, self.limit + max(1, self.limit // 8))
            return
        self._round_means.append(mean)
        best = min(self._round_means)
        if mean <= 0 or math.isclose(best, 0.0):
            return
        queued = self.limit * (1.0 - best / mean)
        if queued > QUEUE_HIGH * self.limit and queued > 2:
            knee = self.limit * best / mean
            self.slow_start = False
            self._settling = True
            self.limit = max(self.minimum, min(self.maximum, round(knee * (1 + HEADROOM)) + 1))
        elif busy and queued < max(QUEUE_LOW * self.limit, 1.0):
            grown = self.limit * 2 if self.slow_start else self.limit + 1
            self.limit = min(self.maximum, grown)
