"""Fair share between projects, decided inside the shard claim.

No scheduler process: each claim counts the shards each project runs now, divides by the
project's weight, and tries the projects most under their share first. It does so twice:
first over the batches that can still finish in their window (and any batch that has
waited `aging_seconds` with nothing claimed), then over those the monitor's plan gave up
on (`at_risk`). So a batch at risk never takes a slot that a batch which can still make
it, in any project, could use; it gets what they leave. Within a project: the batches that
waited first, then earliest deadline first, then in submission order, so parts of one job
finish whole, not all partly. See docs/scheduling.md.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, case, exists, false, func, select

from batchyard.records import BatchStatus
from batchyard.store.schema import batch_progress, batches, shards

DEFAULT_WEIGHT = 1


class ClaimOrder(enum.StrEnum):
    """Which rule the claim follows (`[engine] claim_order`)."""

    FAIR = "fair"  # weighted shares, aging, feasible first, EDF: the default
    DEADLINE = "deadline"  # every project's batches by deadline, then submission
    FIFO = "fifo"  # submission order only


def claim_order(
    conn: Connection,
    now: float,
    models: Collection[str] | None,
    weights: Mapping[str, int],
    order: ClaimOrder = ClaimOrder.FAIR,
    aging_seconds: float | None = None,
    *,
    idle_projects_only: bool = False,
) -> Iterator[tuple[str, bool]]:
    """The live batches to ask for a shard, best first, each with whether the plan gave
    up on it."""
    if order is not ClaimOrder.FAIR:
        yield from ((batch_id, False) for batch_id in _global_order(conn, models, order))
        return
    live = _live_batches(conn, now, models, aging_seconds)
    running = running_per_batch(conn, now, models)
    given_up = {b.id for b in live if b.at_risk and not b.waited}
    used: dict[str, int] = {}  # running shards of batches that can still finish
    everything: dict[str, int] = {}  # and of those given up on
    for batch in live:
        n = running.get(batch.id, 0)
        everything[batch.project] = everything.get(batch.project, 0) + n
        if batch.id not in given_up:
            used[batch.project] = used.get(batch.project, 0) + n
    if idle_projects_only:
        live = [b for b in live if not everything.get(b.project)]
    # Urgent: the plan found it late on its project's share and that running it ahead of
    # the shares makes no batch late; every project's, earliest deadline first.
    urgent = sorted((b for b in live if b.urgent and b.id not in given_up), key=_edf)
    yield from ((b.id, False) for b in urgent)
    # A project's shards of batches given up on run on what the others leave, so they
    # do not count against its share for the batches that can still finish.
    feasible = [b for b in live if b.id not in given_up and not b.urgent]
    yield from ((batch_id, False) for batch_id in _fair(feasible, used, weights))
    at_risk = [b for b in live if b.id in given_up]
    yield from ((batch_id, True) for batch_id in _fair(at_risk, everything, weights))


@dataclass(frozen=True, slots=True)
class _Live:
    id: str
    project: str
    expires_at: int
    seq: int
    at_risk: bool
    waited: bool  # in progress `aging_seconds` with none of its shards claimed
    urgent: bool  # the plan runs it ahead of the shares


def _edf(batch: _Live) -> tuple[int, int]:
    return (batch.expires_at, batch.seq)


def _fair(live: list[_Live], used: Mapping[str, int], weights: Mapping[str, int]) -> list[str]:
    """Projects most under their weighted share first (ties: the earliest deadline, then
    the name); within one, the batches that waited, then the rest, each by deadline and
    seq. (Oldest first among those that waited turned an overloaded queue into FIFO: a
    backlog of loose batches that had all waited went before a tight one.)"""
    mine: dict[str, list[_Live]] = {}
    for batch in live:
        mine.setdefault(batch.project, []).append(batch)

    def project_key(project: str) -> tuple[float, int, str]:
        share = used.get(project, 0) / weight_of(weights, project)
        return (share, min(b.expires_at for b in mine[project]), project)

    ordered = []
    for project in sorted(mine, key=project_key):
        batches_of = sorted(
            mine[project],
            key=lambda b: (not b.waited, b.expires_at, b.seq),
        )
        ordered += [b.id for b in batches_of]
    return ordered


def _live_batches(
    conn: Connection, now: float, models: Collection[str] | None, aging_seconds: float | None
) -> list[_Live]:
    """Every live batch of the models, with its plan's verdict: the batches table and the
    progress rows only (few rows), never the pending shards."""
    waited: ColumnElement[bool] = false()
    if aging_seconds is not None:
        started = exists().where(shards.c.batch_id == batches.c.id, shards.c.status != "pending")
        # A batch the plan expects to finish in time needs no push: the plan already
        # starts it soon enough, and pushing every batch of an overloaded project that
        # waited turned its queue into FIFO. Aging is for the batches with no plan yet
        # and those given up on: each gets a shard within `aging_seconds`.
        planned_in_time = and_(
            batch_progress.c.plan_eta.is_not(None), batch_progress.c.at_risk_reason.is_(None)
        )
        waited = and_(batches.c.in_progress_at <= now - aging_seconds, ~planned_in_time, ~started)
    query = (
        select(
            batches.c.id,
            batches.c.project,
            batches.c.expires_at,
            batches.c.seq,
            batch_progress.c.at_risk_reason.is_not(None),
            case((waited, True), else_=False),
            func.coalesce(batch_progress.c.plan_urgent, false()),
        )
        .join(batch_progress, batch_progress.c.batch_id == batches.c.id, isouter=True)
        .where(
            batches.c.status == BatchStatus.IN_PROGRESS.value,
            batches.c.stop_reason.is_(None),
        )
    )
    if models is not None:
        query = query.where(batches.c.model.in_(list(models)))
    return [
        _Live(row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5]), bool(row[6]))
        for row in conn.execute(query)
    ]


def _global_order(conn: Connection, models: Collection[str] | None, order: ClaimOrder) -> list[str]:
    keys = [batches.c.seq] if order is ClaimOrder.FIFO else [batches.c.expires_at, batches.c.seq]
    query = select(batches.c.id).where(
        batches.c.status == BatchStatus.IN_PROGRESS.value, batches.c.stop_reason.is_(None)
    )
    if models is not None:
        query = query.where(batches.c.model.in_(list(models)))
    return list(conn.execute(query.order_by(*keys)).scalars())


def running_per_batch(
    conn: Connection, now: float, models: Collection[str] | None
) -> dict[str, int]:
    """Each live batch's shards running under a live lease: the running shards only
    (`ix_shards_status`), so it stays cheap with a long queue."""
    running = (
        select(shards.c.batch_id, func.count().label("n"))
        .join(batches, shards.c.batch_id == batches.c.id)
        .where(
            batches.c.status == BatchStatus.IN_PROGRESS.value,
            shards.c.status == "running",
            shards.c.lease_expires_at >= now,
        )
    )
    if models is not None:
        running = running.where(batches.c.model.in_(list(models)))
    return {r.batch_id: r.n for r in conn.execute(running.group_by(shards.c.batch_id))}


def weight_of(weights: Mapping[str, int], project: str) -> int:
    """The project's weight; indexing lets a defaultdict supply the configured default."""
    try:
        return max(1, weights[project])
    except KeyError:
        return DEFAULT_WEIGHT
