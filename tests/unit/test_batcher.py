"""The dynamic batcher, with a plain function for a model: passes, order, priority, failures."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from batchyard.backends.local.batcher import Batcher, BatcherClosed, PassStats, _Item, take_pass

POISON = -1


class Model:
    """Answers each row with the sum of its tokens; records every pass; can be held.

    A held model (gate cleared) stops in any pass whose longest row is over `hold_above`.
    """

    def __init__(self, hold_above: int = 0) -> None:
        self.hold_above = hold_above
        self.passes: list[list[list[int]]] = []
        self.stats: list[PassStats] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def prepare(self, rows: list[Sequence[int]]) -> list[list[int]]:
        return [list(row) for row in rows]

    def compute(self, rows: list[list[int]]) -> list[int]:
        if max(map(len, rows)) > self.hold_above:
            self.entered.set()
            self.gate.wait(timeout=10)
        if any(POISON in row for row in rows):
            raise RuntimeError("the model failed")
        self.passes.append(rows)
        return [sum(row) for row in rows]


def batcher(model: Model, pass_tokens: int = 64, interactive_pass_tokens: int = 64) -> Batcher:
    return Batcher(
        "test",
        model.prepare,
        model.compute,
        pass_tokens=pass_tokens,
        interactive_pass_tokens=interactive_pass_tokens,
        on_pass=model.stats.append,
    )


def items(*lengths: int) -> list[_Item]:
    """Waiting items of these lengths, arriving in the order given, kept sorted as a lane does."""
    return sorted(_Item(n, arrival, [1] * n, None, 0) for arrival, n in enumerate(lengths))  # type: ignore[arg-type]


def test_a_pass_is_the_oldest_item_and_its_nearest_neighbours_in_length() -> None:
    waiting = items(10, 50, 11, 9, 40, 12)
    chosen = take_pass(waiting, budget=48)
    assert [i.length for i in chosen] == [9, 10, 11, 12]  # 4 rows x 12 = 48 padded tokens
    assert [i.length for i in waiting] == [40, 50]


def test_a_pass_stays_within_the_budget_but_the_oldest_always_goes() -> None:
    waiting = items(300, 5, 6)
    assert [i.length for i in take_pass(waiting, budget=64)] == [300]
    assert [i.length for i in take_pass(waiting, budget=64)] == [5, 6]
    assert waiting == []


def test_nothing_starves_when_shorter_work_keeps_arriving() -> None:
    waiting = items(100, 3, 3, 3)
    assert [i.length for i in take_pass(waiting, budget=32)] == [100]


async def test_outputs_come_back_per_caller_in_order() -> None:
    model = Model()
    lanes = batcher(model)
    try:
        first, second = await asyncio.gather(
            lanes.submit([[1, 2], [5], [1, 1, 1, 1]]), lanes.submit([[7, 7, 7]])
        )
        assert first == [3, 5, 4]
        assert second == [21]
        assert await lanes.submit([]) == []
    finally:
        lanes.close()


async def test_concurrent_callers_share_passes_sorted_by_length_within_the_budget() -> None:
    model = Model()
    lanes = batcher(model, pass_tokens=40)
    model.gate.clear()
    try:
        blocker = asyncio.ensure_future(lanes.submit([[1] * 4]))
        await asyncio.to_thread(model.entered.wait, 10)  # the model is busy: the rest waits
        callers = [
            asyncio.ensure_future(lanes.submit([[1] * n for n in lengths]))
            for lengths in ([8, 3], [7, 2, 9], [3, 8])
        ]
        await asyncio.sleep(0.05)
        model.gate.set()
        await asyncio.gather(blocker, *callers)
    finally:
        lanes.close()
    later = model.passes[1:]
    assert sum(len(rows) for rows in later) == 7
    for rows in later:
        lengths = [len(row) for row in rows]
        assert lengths == sorted(lengths)
        assert max(lengths) * len(lengths) <= 40
    assert len(later) < 7  # several callers' texts went through one pass
    assert [s.padded_tokens for s in model.stats[1:]] == [
        max(map(len, rows)) * len(rows) for rows in later
    ]


async def test_interactive_texts_do_not_wait_for_a_running_batch_pass() -> None:
    model = Model(hold_above=4)
    lanes = batcher(model)
    model.gate.clear()
    try:
        batch = asyncio.ensure_future(lanes.submit([[1] * 8]))
        await asyncio.to_thread(model.entered.wait, 10)  # a batch pass is computing, held
        queued = asyncio.ensure_future(lanes.submit([[2] * 8]))
        assert await asyncio.wait_for(lanes.submit([[4]], interactive=True), 5) == [4]
        assert not batch.done() and not queued.done()
        model.gate.set()
        assert await batch == [8]
        assert await queued == [16]
    finally:
        lanes.close()
    assert [stats.interactive for stats in model.stats] == [True, False, False]


async def test_a_failing_pass_fails_only_the_callers_in_it() -> None:
    model = Model()
    lanes = batcher(model, pass_tokens=4)  # one row per pass: no caller shares a pass
    try:
        bad, good = await asyncio.gather(
            lanes.submit([[1, 1, 1], [POISON, 1, 1]]),
            lanes.submit([[2, 2, 2]]),
            return_exceptions=True,
        )
    finally:
        lanes.close()
    assert isinstance(bad, RuntimeError)
    assert good == [6]


async def test_closing_fails_what_still_waits() -> None:
    model = Model()
    lanes = batcher(model, pass_tokens=4)
    model.gate.clear()
    pending = asyncio.ensure_future(lanes.submit([[1, 1, 1], [1, 1, 1], [1, 1, 1]]))
    await asyncio.to_thread(model.entered.wait, 10)
    lanes.close()
    model.gate.set()
    with pytest.raises(BatcherClosed):
        await asyncio.wait_for(pending, 5)
    with pytest.raises(BatcherClosed):
        await lanes.submit([[1]])


async def test_a_cancelled_caller_takes_back_what_no_pass_has_taken() -> None:
    model = Model()
    lanes = batcher(model, pass_tokens=4)  # one row of 3 tokens per pass
    model.gate.clear()
    try:
        stopping = asyncio.ensure_future(lanes.submit([[1, 1, 1]] * 6))
        await asyncio.to_thread(model.entered.wait, 10)  # its first pass is computing
        stopping.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stopping
        model.gate.set()
        assert await asyncio.wait_for(lanes.submit([[5, 5, 5]]), 5) == [15]
    finally:
        lanes.close()
        await asyncio.to_thread(lanes.join, 5)
    # The pass under way ended, perhaps one already prepared ran: the rest never did.
    assert len(model.passes) <= 3
    assert model.passes[-1] == [[5, 5, 5]]
