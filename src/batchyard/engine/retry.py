"""When to try a request again, and how long to wait first.

Transient answers (no answer, 408, 409, 429, 5xx) are retried with full-jitter
exponential backoff, or exactly after the upstream's `Retry-After` when it sent
one, until the attempts run out or the batch's deadline draws near. A 429 is
not a fault but a turn to wait: it is retried until the deadline, whatever the
attempt count, since the upstream has said the line will be served later.
Likewise a line whose tries were refused at the door (connection refused: a
server restarting or redeployed) is retried for up to `unreachable_seconds`
whatever the attempt count: those tries never reached the model.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: float = 0.5
    max_seconds: float = 30.0
    deadline_margin_seconds: float = 5.0
    unreachable_seconds: float = 600.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt number `attempt + 1` (attempts count from 1)."""
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)

    def should_retry(
        self,
        attempt: int,
        now: float,
        delay: float,
        deadline: float,
        *,
        status: int = 0,
        down_since: float | None = None,
    ) -> bool:
        """`status` is the answer's HTTP status (0: none); 429 ignores `max_attempts`, and so
        does an upstream refusing connections since `down_since`, for `unreachable_seconds`."""
        in_time = now + delay < deadline - self.deadline_margin_seconds
        down = down_since is not None and now - down_since < self.unreachable_seconds
        return in_time and (status == 429 or down or attempt < self.max_attempts)
