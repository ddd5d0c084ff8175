"""Dynamic batching: the token sequences of many callers, in few well-filled forward passes.

Every concurrent `run` of a local backend (each shard of each batch, and each
synchronous API call) submits its token sequences here and awaits their
outputs. Waiting sequences are kept sorted by length; a pass takes the oldest
waiting sequence and its nearest neighbours in length, up to a budget of padded
tokens (longest x rows), so a pass wastes little on padding and nothing waits
forever however much shorter work keeps arriving.

Work runs in two lanes, batch and interactive, each fed by one model thread. A
synchronous call never queues behind batch lines: its lane runs its pass at
once, alongside the batch lane's current pass, which cannot be cut short (on
a CPU the two share the cores for the few milliseconds a short pass takes).
Each lane also has a preparing thread that turns the next pass into tensors
(padding, copying to the device) while the current pass computes, so the
model never waits for that CPU work.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

PreparedT = TypeVar("PreparedT")
OutputT = TypeVar("OutputT")

Prepare = Callable[[list[Sequence[int]]], PreparedT]
Compute = Callable[[PreparedT], Sequence[OutputT]]


class BatcherClosed(RuntimeError):
    """The batcher was closed before these sequences ran."""


@dataclass(frozen=True, slots=True)
class PassStats:
    """What one forward pass held; handed to `on_pass` (metrics, tests, benchmarks)."""

    interactive: bool
    rows: int
    longest: int
    tokens: int  # real tokens, padding excluded
    seconds: float

    @property
    def padded_tokens(self) -> int:
        return self.rows * self.longest


@dataclass(eq=False)
class _Job:
    """One `submit` call: its outputs fill in as passes finish; resolved on the caller's loop."""

    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[Any]]
    outputs: list[Any]
    remaining: int
    finished: bool = False

    def deliver(self, index: int, output: Any) -> None:
        if self.finished:
            return
        self.outputs[index] = output
        self.remaining -= 1
        if self.remaining == 0:
            self.finished = True
            self._resolve(self.outputs, None)

    def fail(self, error: BaseException) -> None:
        if not self.finished:
            self.finished = True
            self._resolve(None, error)

    def _resolve(self, outputs: list[Any] | None, error: BaseException | None) -> None:
        def settle() -> None:
            if self.future.done():  # the caller gave up (cancelled)
                return
            if error is not None:
                self.future.set_exception(error)
            else:
                self.future.set_result(outputs or [])

        # RuntimeError: the caller's event loop is closed; nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(settle)


@dataclass(order=True, slots=True)
class _Item:
    """One sequence waiting for a pass; sorts by length, then by arrival."""

    length: int
    arrival: int
    tokens: Sequence[int] = field(compare=False)
    job: _Job = field(compare=False)
    index: int = field(compare=False)


def take_pass(waiting: list[_Item], budget: int) -> list[_Item]:
    """Remove and return the next pass from `waiting` (sorted by length).

    It holds the oldest item, then grows towards whichever neighbour in length
    adds less padding, while rows x longest stays within `budget`. The oldest
    item goes even when it alone is over the budget.
    """
    start = min(range(len(waiting)), key=lambda i: waiting[i].arrival)
    low, high = start, start + 1  # the pass is waiting[low:high]
    while True:
        rows, longest = high - low, waiting[high - 1].length
        left = waiting[low - 1] if low > 0 else None
        right = waiting[high] if high < len(waiting) else None
        left_waste = longest - left.length if left and longest * (rows + 1) <= budget else None
        right_waste = (
            (right.length - longest) * rows
            if right and right.length * (rows + 1) <= budget
            else None
        )
        if left_waste is None and right_waste is None:
            break
        if right_waste is None or (left_waste is not None and left_waste <= right_waste):
            low -= 1
        else:
            high += 1
    chosen = waiting[low:high]
    del waiting[low:high]
    return chosen


class _Lane(Generic[PreparedT, OutputT]):
    """One queue of waiting sequences, its preparing thread and its model thread."""

    def __init__(
        self,
        name: str,
        prepare: Prepare[PreparedT],
        compute: Compute[PreparedT, OutputT],
        budget: int,
        interactive: bool,
        on_pass: Callable[[PassStats], None] | None,
    ) -> None:
        self.name = name
        self._prepare = prepare
        self._compute = compute
        self.budget = budget
        self._interactive = interactive
        self._on_pass = on_pass
        self._waiting: list[_Item] = []
        self._ready: tuple[list[_Item], PreparedT | BaseException] | None = None
        self._cond = threading.Condition()
        self._closed = False
        self._threads: list[threading.Thread] = []

    def add(self, items: list[_Item]) -> None:
        with self._cond:
            if self._closed:
                raise BatcherClosed(f"{self.name} is closed")
            if not self._threads:
                self._start()
            for item in items:
                bisect.insort(self._waiting, item)
            self._cond.notify_all()

    def discard(self, job: _Job) -> None:
        """Drop the waiting sequences of a caller that gave up (a run stopping now)."""
        with self._cond:
            job.finished = True
            self._waiting = [item for item in self._waiting if item.job is not job]

    def close(self) -> None:
        with self._cond:
            self._closed = True
            left = self._waiting
            self._waiting = []
            if self._ready is not None:
                left += self._ready[0]
                self._ready = None
            self._cond.notify_all()
        for item in left:
            item.job.fail(BatcherClosed(f"{self.name} closed before this input ran"))

    def join(self, timeout: float) -> None:
        """Wait for the threads of a closed lane: the pass computing now ends first, so
        the process never exits while a thread is inside the model (that aborts it)."""
        for thread in self._threads:
            thread.join(timeout)

    def _start(self) -> None:
        for role, target in (("prepare", self._prepare_loop), ("model", self._model_loop)):
            thread = threading.Thread(target=target, name=f"{self.name}-{role}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _prepare_loop(self) -> None:
        """Build the next pass's tensors while the model thread computes the current one."""
        while True:
            with self._cond:
                while not self._closed and (not self._waiting or self._ready is not None):
                    self._cond.wait()
                if self._closed:
                    return
                items = take_pass(self._waiting, self.budget)
            prepared: PreparedT | BaseException
            try:
                prepared = self._prepare([item.tokens for item in items])
            except Exception as exc:
                prepared = exc
            with self._cond:
                if self._closed:
                    break  # close() has run and could not see these: fail them below
                self._ready = (items, prepared)
                self._cond.notify_all()
        for item in items:
            item.job.fail(BatcherClosed(f"{self.name} closed before this input ran"))

    def _model_loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and self._ready is None:
                    self._cond.wait()
                if self._closed or self._ready is None:
                    return
                items, prepared = self._ready
                self._ready = None
                self._cond.notify_all()
            self._run(items, prepared)

    def _run(self, items: list[_Item], prepared: PreparedT | BaseException) -> None:
        """Compute one pass and hand each output to its caller; a failure fails only these."""
        started = time.perf_counter()
        try:
            if isinstance(prepared, BaseException):
                raise prepared
            outputs = self._compute(prepared)
            if len(outputs) != len(items):
                raise RuntimeError(f"a pass of {len(items)} rows returned {len(outputs)} outputs")
        except Exception as exc:
            for item in items:
                item.job.fail(exc)
            return
        if self._on_pass is not None:
            self._on_pass(
                PassStats(
                    interactive=self._interactive,
                    rows=len(items),
                    longest=items[-1].length,
                    tokens=sum(item.length for item in items),
                    seconds=time.perf_counter() - started,
                )
            )
        for item, output in zip(items, outputs, strict=True):
            item.job.deliver(item.index, output)


class Batcher(Generic[PreparedT, OutputT]):
    """Forms forward passes for one model from everything its callers submit.

    `prepare` turns a pass's sequences (sorted by length) into model inputs; it
    runs on a preparing thread. `compute` runs the model on them and returns one
    output per sequence, in order; it runs on a model thread. `pass_tokens`
    bounds a batch pass's padded tokens; `interactive_pass_tokens` an
    interactive one's.
    """

    def __init__(
        self,
        name: str,
        prepare: Prepare[PreparedT],
        compute: Compute[PreparedT, OutputT],
        *,
        pass_tokens: int,
        interactive_pass_tokens: int,
        on_pass: Callable[[PassStats], None] | None = None,
    ) -> None:
        if pass_tokens < 1 or interactive_pass_tokens < 1:
            raise ValueError("token budgets must be at least 1")
        self._lanes = {
            interactive: _Lane(
                f"{name}-{'interactive' if interactive else 'batch'}",
                prepare,
                compute,
                interactive_pass_tokens if interactive else pass_tokens,
                interactive,
                on_pass,
            )
            for interactive in (False, True)
        }
        self._arrivals = itertools.count()
        self._arrivals_lock = threading.Lock()

    async def submit(
        self, sequences: Sequence[Sequence[int]], *, interactive: bool = False
    ) -> list[OutputT]:
        """The outputs for `sequences`, in order, once every one has been through a pass.

        Raises what `prepare` or `compute` raised for a pass that held any of them.
        Cancelled, it takes back those of its sequences that no pass has taken yet.
        """
        if not sequences:
            return []
        loop = asyncio.get_running_loop()
        job = _Job(loop, loop.create_future(), [None] * len(sequences), len(sequences))
        with self._arrivals_lock:
            items = [
                _Item(len(tokens), next(self._arrivals), tokens, job, index)
                for index, tokens in enumerate(sequences)
            ]
        lane = self._lanes[interactive]
        lane.add(items)
        try:
            outputs: list[OutputT] = await job.future
        except asyncio.CancelledError:
            lane.discard(job)  # a stopping run: its sequences not yet in a pass never run
            raise
        return outputs

    def close(self) -> None:
        """Stop both lanes; whatever still waits fails with `BatcherClosed`."""
        for lane in self._lanes.values():
            lane.close()

    def join(self, timeout: float = 60.0) -> None:
        """After `close`: wait (blocking) until no thread computes a pass any more."""
        for lane in self._lanes.values():
            lane.join(timeout)
