"""Which running batches can still finish inside their window, and why the others cannot.

The monitor measures each model's throughput (the sum of its running batches' recent
rates) and plays the claim's order forward on it: the projects with work share it by
weight, a project that runs out of work gives its share to the others, and within a
project batches run earliest deadline first. Where that order makes a batch late, its
project's longest batch due no later is given up on (Moore and Hodgson's rule, which
finishes the most jobs on time on one machine), and the play starts again. A batch given
up on is `at_risk`, with a reason; the claim runs it only after every project's batches
that can still finish, so the capacity it would have held goes to them, in its own
project or another. It still runs whenever they leave a slot free. docs/scheduling.md.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from batchyard.records import RunningBatch
from batchyard.store.scheduling import weight_of

MIN_SPAN_SECONDS = 1.0  # a rate over less time than this is noise


@dataclass(frozen=True, slots=True)
class Plan:
    eta: float  # when the batch's last line should finish, in the claim's order
    reason: str | None  # why it is at risk; None when it should finish in time
    urgent: bool = False  # runs ahead of the shares: late on its own, and it delays no one


class Throughput:
    """Lines per second each model finishes, over the last `window_seconds`.

    Counted across every batch, including those that ended between two looks: a model
    busy with many small batches that each finish within a second is as busy as one
    running a long batch. (Summing the running batches' own rates missed those, so the
    plan saw a fraction of the model and gave up on batches that could still finish.)
    The monitor calls `observe` once a tick.
    """

    def __init__(self, window_seconds: float) -> None:
        self.window_seconds = max(MIN_SPAN_SECONDS, window_seconds)
        self._seen: dict[str, tuple[str, int]] = {}  # batch -> (model, finished)
        self._totals: defaultdict[str, int] = defaultdict(int)
        self._samples: defaultdict[str, deque[tuple[float, int]]] = defaultdict(deque)
        self._started = False

    def observe(
        self, running: Iterable[RunningBatch], ended: Mapping[str, int], now: float
    ) -> dict[str, float]:
        """Take this tick's counts: the running batches', and `ended`, the final finished
        count of each batch seen running before that runs no more (`gone` lists them)."""
        current: dict[str, tuple[str, int]] = {}
        for batch in running:
            if batch.model is None:
                continue
            finished = batch.completed + batch.failed
            current[batch.id] = (batch.model, finished)
            before = self._seen.get(batch.id)
            if before is not None:
                self._totals[batch.model] += max(0, finished - before[1])
            elif self._started:  # new since the last look: all it did, it did since
                self._totals[batch.model] += finished
        for batch_id, (model, finished) in self._seen.items():
            if batch_id not in current:
                self._totals[model] += max(0, ended.get(batch_id, finished) - finished)
        self._seen, self._started = current, True
        rates = {}
        for model in {m for m, _ in current.values()} | set(self._samples):
            samples = self._samples[model]
            samples.append((now, self._totals[model]))
            # The oldest sample kept is at least a window old: rates cover one to two.
            while len(samples) > 2 and now - samples[1][0] >= self.window_seconds:
                samples.popleft()
            span = now - samples[0][0]
            if span >= MIN_SPAN_SECONDS and self._totals[model] > samples[0][1]:
                rates[model] = (self._totals[model] - samples[0][1]) / span
        return rates

    def gone(self, running: Iterable[RunningBatch]) -> list[str]:
        """Batches seen running at the last look that are not running now."""
        now_running = {b.id for b in running}
        return [batch_id for batch_id in self._seen if batch_id not in now_running]


def plan(
    running: Iterable[RunningBatch],
    rates: Mapping[str, float],
    weights: Mapping[str, int],
    now: float,
    *,
    margin: float = 0.0,
    at_risk: Collection[str] = (),
) -> dict[str, Plan]:
    """A plan for every running batch of a model with a measured throughput.

    A batch counts as in time if it ends `margin` seconds before it expires. `at_risk`:
    the batches the last plan gave up on; among equal candidates they go first again, so
    a batch on the edge does not flip between the two every tick.
    """
    work: defaultdict[str, list[RunningBatch]] = defaultdict(list)
    for batch in running:
        if batch.model is not None and batch.model in rates and _left(batch) > 0:
            work[batch.model].append(batch)
    plans: dict[str, Plan] = {}
    for model, mine in work.items():
        plans.update(_plan_model(mine, rates[model], weights, now, margin, set(at_risk)))
    return plans


def _plan_model(
    mine: list[RunningBatch],
    rate: float,
    weights: Mapping[str, int],
    now: float,
    margin: float,
    at_risk: set[str],
) -> dict[str, Plan]:
    def due(batch: RunningBatch) -> float:
        return batch.expires_at - margin

    kept = sorted(mine, key=_edf)
    urgent: list[RunningBatch] = []  # of kept, run ahead of the shares
    moved: list[RunningBatch] = []
    while True:
        ends = _play_order(kept, urgent, rate, weights, now)
        late = [b for b in kept if ends[b.id] > due(b)]
        if not late:
            break
        # The first to end late may borrow capacity the others can spare; if it cannot,
        # a batch is given up on.
        first = min(late, key=lambda b: (ends[b.id], *_edf(b)))
        # Its project borrows for it and for the batches of its own due before it.
        borrowers = [b for b in kept if _blocks(b, first) and b not in urgent]
        if first in borrowers and _lend(kept, urgent, borrowers, first, due, rate, weights, now):
            urgent = sorted([*urgent, *borrowers], key=_edf)
            continue
        # Moore and Hodgson, per project: of the batches due no later than a late one of
        # their project, the longest goes (of every project's, so a hopeless huge batch
        # goes before a small one it made late); among equal ones the one sent last, so
        # a job's parts finish whole in order.
        ahead = [b for b in kept if any(_blocks(b, x) for x in late)]
        longest = max(ahead, key=lambda b: (b.id in at_risk, _left(b), b.seq))
        kept.remove(longest)
        if longest in urgent:
            urgent.remove(longest)
        moved.append(longest)
    ends = _play([urgent, _rest(kept, urgent), sorted(moved, key=_edf)], rate, weights, now)
    projects = len({b.project for b in mine})
    plans = {}
    for batch in mine:
        eta = ends[batch.id]
        reason = _reason(batch, rate, projects, eta, margin) if eta > due(batch) else None
        plans[batch.id] = Plan(eta=eta, reason=reason, urgent=batch in urgent)
    return plans


def _play_order(
    kept: list[RunningBatch],
    urgent: list[RunningBatch],
    rate: float,
    weights: Mapping[str, int],
    now: float,
) -> dict[str, float]:
    return _play([urgent, _rest(kept, urgent)], rate, weights, now)


def _lend(
    kept: list[RunningBatch],
    urgent: list[RunningBatch],
    borrowers: list[RunningBatch],
    batch: RunningBatch,
    due: Callable[[RunningBatch], float],
    rate: float,
    weights: Mapping[str, int],
    now: float,
) -> bool:
    """Whether running `borrowers` ahead of the shares lets `batch` finish in time and
    makes no batch late that was not: then they borrow capacity the others can spare."""
    before = _play_order(kept, urgent, rate, weights, now)
    after = _play_order(kept, sorted([*urgent, *borrowers], key=_edf), rate, weights, now)
    return after[batch.id] <= due(batch) and all(
        after[b.id] <= due(b) for b in kept if before[b.id] <= due(b)
    )


def _rest(kept: list[RunningBatch], urgent: list[RunningBatch]) -> list[RunningBatch]:
    chosen = {b.id for b in urgent}
    return [b for b in kept if b.id not in chosen]


def _blocks(batch: RunningBatch, late: RunningBatch) -> bool:
    """`batch` runs before `late` in their project's order, or is it."""
    return batch.project == late.project and _edf(batch) <= _edf(late)


def _play(
    tiers: list[list[RunningBatch]], rate: float, weights: Mapping[str, int], now: float
) -> dict[str, float]:
    """When each batch ends in the claim's order: tier after tier; within a tier the
    projects with work left share `rate` by weight, each on its first batch (EDF)."""
    ends: dict[str, float] = {}
    clock = now
    for tier in tiers:
        queues: dict[str, list[RunningBatch]] = {}
        for batch in tier:  # already in EDF order
            queues.setdefault(batch.project, []).append(batch)
        left = {b.id: float(_left(b)) for b in tier}
        heads = {p: 0 for p in queues}
        while heads:
            total = sum(weight_of(weights, p) for p in heads)
            speed = {p: rate * weight_of(weights, p) / total for p in heads}
            step = min(left[queues[p][i].id] / speed[p] for p, i in heads.items())
            clock += step
            for project in list(heads):
                head = queues[project][heads[project]]
                left[head.id] -= speed[project] * step
                if left[head.id] <= 1e-9 * max(1.0, float(_left(head))):
                    ends[head.id] = clock
                    heads[project] += 1
                    if heads[project] == len(queues[project]):
                        del heads[project]
    return ends


def _edf(batch: RunningBatch) -> tuple[int, int]:
    return (batch.expires_at, batch.seq)


def _left(batch: RunningBatch) -> int:
    return max(0, batch.total - batch.completed - batch.failed)


def _reason(
    batch: RunningBatch, model_rate: float, projects: int, eta: float, margin: float
) -> str:
    late = eta - batch.expires_at
    sharing = f", shared by weight between {projects} projects" if projects > 1 else ""
    when = (
        f"{late:,.0f} s after it expires"
        if late > 0
        else f"{-late:,.0f} s before it expires, inside the plan's {margin:,.0f} s margin"
    )
    return (
        f"At {batch.model}'s measured {model_rate:.3g} lines/s{sharing}, with the batches "
        f"that can still finish in their window first, its {_left(batch):,} lines left "
        f"would end at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(eta))}: {when}. "
        "It runs on what those batches leave; its unrun lines will be batch_expired if "
        "it does not catch up."
    )
