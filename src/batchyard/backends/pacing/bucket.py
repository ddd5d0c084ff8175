"""A token bucket that may run into debt: reserve an estimate now, settle the truth later.

One bucket per limit (requests per minute, tokens per minute). It refills at
`limit / 60` per second up to `limit`, the way OpenAI replenishes budgets. A
request takes its estimate when it is admitted; when the answer's `usage`
arrives the difference is paid back or charged, so the level tracks what the
upstream counted. The upstream's own `remaining` figure may only lower the
level (it knows about other clients of the same key). A small margin stays
unspent. Time is passed in, so tests need no sleeps.
"""

from __future__ import annotations

import math

# Budget left untouched, as a share of the limit: it absorbs the estimates of requests
# still in flight being short of what the upstream counts. A one-off lag of about
# a second at the start, not a slower rate.
SAFETY_MARGIN = 0.02


class TokenBucket:
    """`limit` units per minute; `None` means no limit is known (never waits)."""

    def __init__(self, limit: float | None, now: float) -> None:
        self.limit: float | None = None
        self.level = 0.0
        self._updated = now
        self.set_limit(limit, now)

    @property
    def known(self) -> bool:
        return self.limit is not None

    def set_limit(self, limit: float | None, now: float) -> None:
        """A new per-minute limit; a bucket that had none starts full, as the upstream's does."""
        self._refill(now)
        if limit is not None and limit <= 0:
            limit = None
        if limit is not None and self.limit is None:
            self.level = limit
        elif limit is not None:
            self.level = min(self.level, limit)
        self.limit = limit

    def wait(self, amount: float, now: float) -> float:
        """Seconds until `amount` can be taken (more than the limit waits for a full bucket)."""
        if self.limit is None:
            return 0.0
        self._refill(now)
        need = min(amount + self.limit * SAFETY_MARGIN, self.limit) - self.level
        return 0.0 if need <= 0 else need / (self.limit / 60.0)

    def take(self, amount: float, now: float) -> None:
        if self.limit is None:
            return
        self._refill(now)
        self.level -= amount

    def settle(self, reserved: float, actual: float, now: float) -> None:
        """Pay back an over-estimate, or charge an under-estimate as debt."""
        if self.limit is None:
            return
        self._refill(now)
        self.level = min(self.limit, self.level + reserved - actual)

    def cap(self, remaining: float, now: float) -> None:
        """The upstream says at most `remaining` is left: never believe in more than that."""
        if self.limit is None:
            return
        self._refill(now)
        self.level = min(self.level, remaining)

    def _refill(self, now: float) -> None:
        elapsed = now - self._updated
        self._updated = max(now, self._updated)
        if self.limit is not None and elapsed > 0 and not math.isinf(self.limit):
            self.level = min(self.limit, self.level + elapsed * self.limit / 60.0)
