"""Which running batches can still finish inside their window, and why the others cannot.

The monitor measures each model's throughput (the sum of its running batches' recent
rates) and plays the claim's order forward: each project with work on the model gets
its weighted share of that throughput, and within a project batches run earliest
deadline first. Where that order would make a batch late, the project's longest batch
so far is moved to the back (Moore and Hodgson's rule, which finishes the most jobs on
time on one machine), so one huge batch cannot make every smaller one behind it late.
A moved batch is `at_risk`, with a reason; the claim runs it after the others of its
project, and still runs it whenever they leave capacity free. docs/scheduling.md.
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from batchyard.records import ProgressMarks, RunningBatch
from batchyard.store.scheduling import weight_of

MIN_SPAN_SECONDS = 1.0  # a rate over less time than this is noise


@dataclass(frozen=True, slots=True)
class Plan:
    eta: float  # when the batch's last line should finish, in the claim's order
    reason: str | None  # why it is at risk; None when it should finish in time


def throughput(
    running: Iterable[RunningBatch], marks: Mapping[str, ProgressMarks], now: float
) -> dict[str, float]:
    """Lines per second each model finishes now, from its batches' progress marks."""
    rates: defaultdict[str, float] = defaultdict(float)
    for batch in running:
        mark = marks.get(batch.id)
        if batch.model is None or mark is None or now - mark.since_at < MIN_SPAN_SECONDS:
            continue
        finished = batch.completed + batch.failed
        rates[batch.model] += max(0, finished - mark.since_finished) / (now - mark.since_at)
    return {model: rate for model, rate in rates.items() if rate > 0}


def plan(
    running: Iterable[RunningBatch],
    rates: Mapping[str, float],
    weights: Mapping[str, int],
    now: float,
) -> dict[str, Plan]:
    """A plan for every running batch of a model with a measured throughput."""
    work: defaultdict[str, defaultdict[str, list[RunningBatch]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for batch in running:
        if batch.model is not None and batch.model in rates and _left(batch) > 0:
            work[batch.model][batch.project].append(batch)
    plans: dict[str, Plan] = {}
    for model, projects in work.items():
        total_weight = sum(weight_of(weights, p) for p in projects)
        for project, mine in projects.items():
            share = weight_of(weights, project) / total_weight
            plans.update(_plan_project(mine, rates[model], share, now))
    return plans


def _plan_project(
    mine: list[RunningBatch], model_rate: float, share: float, now: float
) -> dict[str, Plan]:
    rate = model_rate * share
    kept, moved = _moore_hodgson(sorted(mine, key=lambda b: (b.expires_at, b.seq)), rate, now)
    plans = {}
    ahead = 0
    for batch in kept + sorted(moved, key=lambda b: (b.expires_at, b.seq)):
        eta = now + (ahead + _left(batch)) / rate
        reason = None
        if eta > batch.expires_at:
            reason = _reason(batch, ahead, model_rate, share, eta)
        plans[batch.id] = Plan(eta=eta, reason=reason)
        ahead += _left(batch)
    return plans


def _moore_hodgson(
    edf: list[RunningBatch], rate: float, now: float
) -> tuple[list[RunningBatch], list[RunningBatch]]:
    """Keep the most batches on time: whenever one ends late, drop the longest kept so far.

    Among equally long batches the one submitted last is dropped, so the parts of one job
    finish whole in the order sent.
    """
    kept: list[tuple[int, int, str, RunningBatch]] = []  # max-heap on (lines, seq)
    moved: list[RunningBatch] = []
    lines = 0
    for batch in edf:
        heapq.heappush(kept, (-_left(batch), -batch.seq, batch.id, batch))
        lines += _left(batch)
        if now + lines / rate > batch.expires_at:
            *_, longest = heapq.heappop(kept)
            lines -= _left(longest)
            moved.append(longest)
    chosen = {entry[2] for entry in kept}
    return [b for b in edf if b.id in chosen], moved


def _left(batch: RunningBatch) -> int:
    return max(0, batch.total - batch.completed - batch.failed)


def _reason(batch: RunningBatch, ahead: int, model_rate: float, share: float, eta: float) -> str:
    late = eta - batch.expires_at
    return (
        f"At {batch.model}'s measured {model_rate:.3g} lines/s, of which project "
        f"{batch.project!r} gets {share:.0%}, its {_left(batch):,} lines left, after "
        f"{ahead:,} lines of batches ahead of it, would end at "
        f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(eta))}: {late:,.0f} s after it "
        "expires. Batches that can still finish in time run first; its unrun lines will "
        "be batch_expired if it does not catch up."
    )
