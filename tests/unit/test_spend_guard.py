"""The cost cap at admission (engine/spend.py): the arithmetic of its bound.

Each line here costs 1 USD per input token at the batch price (2 USD sync, 0.5 off).
The end-to-end cap runs in tests/e2e/test_cost.py.
"""

from __future__ import annotations

from batchyard.config import Price
from batchyard.engine.spend import SpendGuard
from batchyard.records import Usage

PRICE = Price(model="m", input_per_1m=2_000_000.0, output_per_1m=0.0, batch_discount_factor=0.5)


def guard(cap: float, spent: float = 0.0) -> SpendGuard:
    return SpendGuard("batch_x", cap, PRICE, spent, lambda _guard: None)


async def test_the_first_group_runs_alone_then_lines_start_while_they_fit() -> None:
    spend = guard(cap=10.0)
    assert spend.admit(1) is True
    assert spend.admit(1) is None  # what a line costs is not known yet: wait
    await spend.settle(1, [Usage(input_tokens=2)])  # a line costs 2
    assert (spend.spent, spend.per_line) == (2.0, 2.0)
    assert [spend.admit(1) for _ in range(4)] == [True, True, True, True]  # 2 + 4 x 2 = 10
    assert spend.admit(1) is False and spend.closed  # 12 could pass 10: stop the batch
    for _ in range(4):
        await spend.settle(1, [Usage(input_tokens=2)])
    assert spend.spent == 10.0 and spend.in_flight == 0  # at the cap, never past it
    assert spend.admit(1) is False


async def test_a_costlier_line_passes_the_cap_by_its_excess_at_most() -> None:
    spend = guard(cap=10.0, spent=4.0)  # durable spend when this process took the batch
    assert spend.admit(1) is True
    await spend.settle(1, [Usage(input_tokens=2)])
    assert spend.admit(2) is True  # 6 + 2 x 2 = 10 fits
    await spend.settle(2, [Usage(input_tokens=2), Usage(input_tokens=3)])  # one cost 3
    assert spend.spent == 11.0  # past the cap by 1: the line's excess over the costliest before
    assert spend.per_line == 3.0 and spend.admit(1) is False


async def test_failed_lines_cost_nothing_and_teach_nothing() -> None:
    spend = guard(cap=1.0)
    assert spend.admit(1) is True
    await spend.settle(1, [])  # the line failed: not billed
    assert spend.per_line is None and spend.admit(1) is True  # still one at a time
