"""A batch's cost cap at admission: no line starts that could take the spend past it.

The monitor (monitor.py) stops a batch once its durable spend reaches the cap,
a second or so behind the truth, so alone it lets the batch overshoot by what
runs in that time. Here, in the process that runs the lines, a line is only
sent while `spent + (in flight + this group) x per_line <= cap`, where
`per_line` is the most any line of the batch has cost so far (the first group
runs alone, to learn it). When a group does not fit, the batch is stopped
`cost_cap` at once, with the lines in flight finishing.

The bound (docs/cost.md): lines that cost no more than the costliest line before
them never take the batch past its cap; a costlier one passes it by at most its
excess over that line. Several workers on one batch each see the others' spend as
it was durable when they took their first shard of it, so each may add its own
in-flight lines on top; the monitor backs them all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable

from batchyard.config import Price, Settings
from batchyard.metrics import Metrics
from batchyard.pricing import CAP_KEY, cost_of, parse_cap
from batchyard.records import LineError, ShardClaim, StopReason, Usage
from batchyard.store import Store


def cap_error(spent: float, cap: float, *, ahead: bool = False) -> LineError:
    """The batch's one `errors.data` entry when its cap stops it: reached, or about to be."""
    if ahead:
        when = f"at a cost of {spent:.6f} USD, as its next requests could pass its cap"
    else:
        when = f"when its cost reached {spent:.6f} USD, its cap"
    message = (
        f"The batch was cancelled {when} (metadata {CAP_KEY}) of {cap:g} USD. Requests "
        "already running finished and are billed; the rest are in the error file as "
        "batch_cancelled."
    )
    return LineError("cost_cap_reached", message, f"metadata.{CAP_KEY}")


class SpendGuard:
    """One capped batch's spend in this process: what is spent and what is in flight."""

    def __init__(
        self,
        batch_id: str,
        cap: float,
        price: Price,
        spent: float,
        on_stop: Callable[[SpendGuard], None],
    ) -> None:
        self.batch_id = batch_id
        self.cap = cap
        self.price = price
        self.spent = spent  # durable when the guard opened, plus this process's since
        self.in_flight = 0
        self.per_line: float | None = None  # the costliest line so far
        self.closed = False
        self.users = 1
        self._on_stop = on_stop  # stops the batch in the store; run in a thread
        self._turn = asyncio.Condition()

    async def wait_turn(self) -> None:
        """Until the first group's cost is known, groups go one at a time."""
        async with self._turn:
            await self._turn.wait_for(
                lambda: self.closed or self.per_line is not None or self.in_flight == 0
            )

    def admit(self, lines: int) -> bool | None:
        """True: send these lines now. None: wait a turn. False: the cap is (nearly) reached."""
        if self.closed:
            return False
        if self.per_line is None:
            if self.in_flight:
                return None
            fits = self.spent < self.cap
        else:
            fits = self.spent + (self.in_flight + lines) * self.per_line <= self.cap
        if fits:
            self.in_flight += lines
            return True
        self.closed = True
        return False

    async def settle(self, lines: int, usages: Iterable[Usage]) -> None:
        """`lines` came back; `usages` are those that succeeded (the billed ones)."""
        for usage in usages:
            cost = cost_of(usage, self.price).batch_usd
            self.spent += cost
            self.per_line = max(self.per_line or 0.0, cost)
        self.in_flight -= lines
        async with self._turn:
            self._turn.notify_all()

    async def stop_batch(self) -> None:
        """Stop the batch `cost_cap` (a guarded UPDATE: the monitor may do it first)."""
        async with self._turn:
            self._turn.notify_all()
        await asyncio.to_thread(self._on_stop, self)


class SpendGuards:
    """The engine's guards, one per capped batch with shards running in this process."""

    def __init__(self, settings: Settings, store: Store, metrics: Metrics) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self._open: dict[str, SpendGuard] = {}

    async def acquire(self, claim: ShardClaim) -> SpendGuard | None:
        """The batch's guard, opened on its first shard here; None if it has no cap."""
        batch_id = claim.shard.batch_id
        guard = self._open.get(batch_id)
        if guard is None:
            price = self.settings.price(claim.model)
            if price is None:
                return None  # no price, no cap: such a batch fails validation
            batch = await asyncio.to_thread(self.store.get_batch, claim.project, batch_id)
            try:
                cap = parse_cap(batch.metadata) if batch is not None else None
            except ValueError:
                cap = None
            if batch is None or cap is None:
                return None
            guard = self._open.get(batch_id)  # another shard may have opened it meanwhile
            if guard is None:
                spent = cost_of(batch.usage, price).batch_usd
                self._open[batch_id] = SpendGuard(batch_id, cap, price, spent, self.stop)
                return self._open[batch_id]
        guard.users += 1
        return guard

    def release(self, guard: SpendGuard | None) -> None:
        if guard is None:
            return
        guard.users -= 1
        if guard.users == 0 and self._open.get(guard.batch_id) is guard:
            del self._open[guard.batch_id]

    def stop(self, guard: SpendGuard) -> None:
        error = cap_error(guard.spent, guard.cap, ahead=True)
        stopped = self.store.monitor.stop_batch(
            guard.batch_id, StopReason.COST_CAP, error.to_dict(), int(time.time())
        )
        if stopped:
            self.metrics.batches_stopped.labels(reason=StopReason.COST_CAP.value).inc()
