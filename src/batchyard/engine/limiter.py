"""A model's concurrency limit, shared fairly between the shards that run on it.

A plain semaphore serves waiters first come, first served. Every shard queues all its
lines at once, so a shard claimed a moment ago waited behind every line the shards
already running had queued: a light project's first line started only after the heavy
project's shards had sent theirs (issue 16, workload b). Here a free slot goes to the
project with the fewest calls in flight per weight, then to that project's shard with
the fewest, then first come; a shard of a batch the plan gave up on only when no other
waits. It never holds a slot back: with one project waiting, that
project gets every slot (docs/scheduling.md).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Mapping
from types import TracebackType

from batchyard.store.scheduling import weight_of

Key = tuple[str, str, bool]  # (project, shard, given up on by the plan)


class FairLimiter:
    """At most `size` calls at once, handed out by weighted share when there is a queue."""

    def __init__(self, size: int, weights: Mapping[str, int] | None = None) -> None:
        self.size = max(1, size)
        self.weights: Mapping[str, int] = weights or {}
        self._free = self.size
        self._waiting: dict[Key, deque[asyncio.Future[None]]] = {}
        self._project_in_flight: defaultdict[str, int] = defaultdict(int)
        self._shard_in_flight: defaultdict[Key, int] = defaultdict(int)

    def slot(self, project: str, shard: str, *, given_up: bool = False) -> Slot:
        """The async context manager one shard enters around each call it makes. A shard
        of a batch the plan gave up on gets a slot only when no other shard waits."""
        return Slot(self, (project, shard, given_up))

    @property
    def in_flight(self) -> int:
        return self.size - self._free

    async def acquire(self, key: Key) -> None:
        if self._free > 0 and not self._waiting:
            self._take(key)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, deque()).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(key)  # granted, but the caller is gone: pass the slot on
            else:
                self._forget(key, waiter)
            raise

    def release(self, key: Key) -> None:
        self._free += 1
        self._project_in_flight[key[0]] -= 1
        self._shard_in_flight[key] -= 1
        if not self._shard_in_flight[key]:
            del self._shard_in_flight[key]
        self._grant()

    def _take(self, key: Key) -> None:
        self._free -= 1
        self._project_in_flight[key[0]] += 1
        self._shard_in_flight[key] += 1

    def _grant(self) -> None:
        while self._free > 0 and self._waiting:
            key = min(self._waiting, key=self._rank)
            queue = self._waiting[key]
            waiter = queue.popleft()
            if not queue:
                del self._waiting[key]
            self._take(key)
            waiter.set_result(None)

    def _rank(self, key: Key) -> tuple[bool, float, int]:
        project, _, given_up = key
        share = self._project_in_flight[project] / weight_of(self.weights, project)
        return (given_up, share, self._shard_in_flight[key])

    def _forget(self, key: Key, waiter: asyncio.Future[None]) -> None:
        queue = self._waiting.get(key)
        if queue is None:
            return
        try:
            queue.remove(waiter)
        except ValueError:
            return
        if not queue:
            del self._waiting[key]


class Slot:
    """One shard's handle on its model's limiter; reusable, one call at a time per entry."""

    def __init__(self, limiter: FairLimiter, key: Key) -> None:
        self.limiter = limiter
        self.key = key

    async def __aenter__(self) -> None:
        await self.limiter.acquire(self.key)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.limiter.release(self.key)
