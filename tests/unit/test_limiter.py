"""A model's call slots, shared by project weight between the shards that run on it."""

from __future__ import annotations

import asyncio

import pytest

from batchyard.engine.limiter import FairLimiter


async def calls(limiter: FairLimiter, project: str, shard: str, n: int, log: list[str],
                *, given_up: bool = False) -> None:  # fmt: skip
    slot = limiter.slot(project, shard, given_up=given_up)

    async def one() -> None:
        async with slot:
            log.append(project)
            await asyncio.sleep(0.01)

    await asyncio.gather(*(one() for _ in range(n)))


async def test_a_shard_claimed_late_is_served_at_the_next_free_slot() -> None:
    limiter = FairLimiter(2)
    log: list[str] = []
    heavy = [asyncio.create_task(calls(limiter, "heavy", f"h{i}", 20, log)) for i in range(3)]
    await asyncio.sleep(0.025)  # the heavy shards have queued 60 calls
    light = asyncio.create_task(calls(limiter, "light", "l0", 4, log))
    await asyncio.gather(*heavy, light)
    first_light = log.index("light")
    # A first-come semaphore would have served all 60 heavy calls first.
    assert first_light <= 8, log
    # Then the two projects alternate while both wait: 4 light calls in the next 10.
    assert log[first_light : first_light + 10].count("light") == 4
    assert limiter.in_flight == 0


async def test_weights_share_the_slots() -> None:
    limiter = FairLimiter(4, {"a": 3, "b": 1})
    log: list[str] = []
    await asyncio.gather(calls(limiter, "a", "a0", 60, log), calls(limiter, "b", "b0", 60, log))
    window = log[8:48]  # while both wait
    assert window.count("a") == pytest.approx(30, abs=3), window


async def test_a_shard_given_up_on_gets_a_slot_only_when_nothing_else_waits() -> None:
    limiter = FairLimiter(1)
    log: list[str] = []
    first = asyncio.create_task(calls(limiter, "x", "x0", 1, log))
    await asyncio.sleep(0)
    doomed = asyncio.create_task(calls(limiter, "doomed", "d0", 2, log, given_up=True))
    await asyncio.sleep(0)
    other = asyncio.create_task(calls(limiter, "y", "y0", 3, log))
    await asyncio.gather(first, doomed, other)
    assert log == ["x", "y", "y", "y", "doomed", "doomed"]


async def test_a_cancelled_waiter_gives_its_place_up() -> None:
    limiter = FairLimiter(1)
    hold = limiter.slot("a", "a0")
    await hold.__aenter__()
    waiter = asyncio.create_task(limiter.slot("b", "b0").__aenter__())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await hold.__aexit__(None, None, None)
    assert limiter.in_flight == 0
    async with limiter.slot("c", "c0"):
        assert limiter.in_flight == 1
