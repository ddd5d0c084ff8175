"""The claim loop both shard loops share: the engine's, and the piece loop's.

Claim one shard (in a thread: the store blocks), run it as a task, and claim
again at once; with nothing to claim, sleep until woken or the poll interval
passes. The wake event is cleared before each look, so a wake-up that arrives
while the store is asked still ends the next sleep at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from batchyard.records import ShardClaim

log = logging.getLogger("batchyard.engine")


async def claim_loop(
    claim: Callable[[Sequence[ShardClaim]], ShardClaim | None],
    run: Callable[[ShardClaim], Coroutine[Any, Any, None]],
    *,
    stopping: asyncio.Event,
    wake: asyncio.Event,
    sleep: Callable[[asyncio.Event], Awaitable[None]],
    what: str,
) -> set[asyncio.Task[None]]:
    """Until `stopping`; returns the shard tasks still running, for the caller to end.
    `claim` is shown the claims of this loop's shards that run now, to judge whether
    there is room (None: no room, or no work)."""
    tasks: dict[asyncio.Task[None], ShardClaim] = {}
    while not stopping.is_set():
        wake.clear()
        try:
            got = await asyncio.to_thread(claim, list(tasks.values()))
        except Exception:
            log.exception("claiming a %s failed", what)
            got = None
        if got is None:
            await sleep(wake)
            continue
        task = asyncio.create_task(run(got))
        tasks[task] = got
        task.add_done_callback(tasks.pop)
    return set(tasks)


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
