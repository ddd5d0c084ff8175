"""Stragglers of an `openai-batch` shard, run on its synchronous `fallback` model.

When the batch's deadline is near (docs/provider-batch.md#stragglers), the lines
still out in pieces are sent one group at a time to the fallback model's backend,
with the engine's retry policy and within the batch's window. Bodies go as they
are: `body.model` is the name the provider knows, for its Batch API and its
synchronous API alike. Each final answer is handed to `land`, which journals it
unless a piece got there first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from batchyard.backends import Backend, Result
from batchyard.engine.lines import Line
from batchyard.engine.retry import RetryPolicy


class Fallback:
    """The synchronous model a piece runner hands its stragglers to."""

    def __init__(
        self,
        name: str,
        backend: Backend,
        policy: RetryPolicy,
        concurrency: int,
        deadline: float,
    ) -> None:
        self.name, self.backend, self.policy = name, backend, policy
        self.deadline = deadline
        self._limiter = asyncio.Semaphore(max(1, concurrency))

    async def run(self, lines: list[Line], land: Callable[[Line, Result], None]) -> None:
        size = max(1, self.backend.max_group)
        groups = [lines[i : i + size] for i in range(0, len(lines), size)]
        await asyncio.gather(*(self._run_group(group, land) for group in groups))

    async def _run_group(self, group: list[Line], land: Callable[[Line, Result], None]) -> None:
        attempt, pending = 1, group
        while pending:
            async with self._limiter:
                results = await self.backend.run([request for _, request in pending])
            retry: list[Line] = []
            wait, now = 0.0, time.time()
            for item, result in zip(pending, results, strict=True):
                delay = self.policy.delay(attempt, result.retry_after)
                if result.retryable and self.policy.should_retry(
                    attempt, now, delay, self.deadline, status=result.status_code
                ):
                    retry.append(item)
                    wait = max(wait, delay)
                else:
                    land(item, result)
            pending, attempt = retry, attempt + 1
            if pending:
                await asyncio.sleep(wait)
