"""The claim loop both shard loops share: the engine's, and the piece loop's.

Claim one shard (in a thread: the store blocks), run it as a task, and claim
again at once; with nothing to claim, sleep until woken or the poll interval
passes. The wake event is cleared before each look, so a wake-up that arrives
while the store is asked still ends the next sleep at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from batchyard.records import ShardClaim

log = logging.getLogger("batchyard.engine")


async def claim_loop(
    claim: Callable[[int], ShardClaim | None],
    run: Callable[[ShardClaim], Coroutine[Any, Any, None]],
    *,
    stopping: asyncio.Event,
    wake: asyncio.Event,
    sleep: Callable[[asyncio.Event], Awaitable[None]],
    what: str,
) -> set[asyncio.Task[None]]:
    """Until `stopping`; returns the shard tasks still running, for the caller to end.
    `claim` is told how many of this loop's shards run now (None: no room, or no work)."""
    tasks: set[asyncio.Task[None]] = set()
    while not stopping.is_set():
        wake.clear()
        try:
            got = await asyncio.to_thread(claim, len(tasks))
        except Exception:
            log.exception("claiming a %s failed", what)
            got = None
        if got is None:
            await sleep(wake)
            continue
        task = asyncio.create_task(run(got))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    return tasks


async def run_claimed(work: Awaitable[None], claim: ShardClaim, what: str) -> None:
    """Run a claimed shard's work; if it fails, log it: the lease lapses and the shard is
    claimed again (by this worker or another), so nothing is lost."""
    try:
        await work
    except Exception:
        log.exception(
            "%s %s/%d failed; its lease will lapse and it will be retried",
            what,
            claim.shard.batch_id,
            claim.shard.index,
        )
