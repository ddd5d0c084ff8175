"""Fair share between projects, decided inside the shard claim.

No scheduler process: each claim counts the shards each project runs now, divides by the
project's weight, and tries the projects most under their share first. Within a project
a batch not at risk that has waited `aging_seconds` with nothing claimed goes first; then
the batches the monitor's plan says can finish in time, before those at risk; each earliest
deadline first, then in submission order, so parts of one job finish whole, not all partly.
See docs/scheduling.md.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterator, Mapping

from sqlalchemy import Connection, and_, case, exists, func, select

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
) -> Iterator[str]:
    """The live batches to ask for a shard, best first."""
    if order is not ClaimOrder.FAIR:
        yield from _global_order(conn, models, order)
        return
    for project in project_order(conn, now, models, weights):
        yield from batch_order(conn, project, models, now=now, aging_seconds=aging_seconds)


def _global_order(conn: Connection, models: Collection[str] | None, order: ClaimOrder) -> list[str]:
    keys = [batches.c.seq] if order is ClaimOrder.FIFO else [batches.c.expires_at, batches.c.seq]
    query = select(batches.c.id).where(
        batches.c.status == BatchStatus.IN_PROGRESS.value, batches.c.stop_reason.is_(None)
    )
    if models is not None:
        query = query.where(batches.c.model.in_(list(models)))
    return list(conn.execute(query.order_by(*keys)).scalars())


def project_order(
    conn: Connection,
    now: float,
    models: Collection[str] | None,
    weights: Mapping[str, int],
) -> list[str]:
    """Projects with live batches, the most under their weighted share first.

    Ties go to the project whose batch expires first. Reads the batches table (few rows)
    and running shards only, never the pending ones, so it stays cheap with a long queue.
    """
    live = select(batches.c.project, func.min(batches.c.expires_at).label("due")).where(
        batches.c.status == BatchStatus.IN_PROGRESS.value, batches.c.stop_reason.is_(None)
    )
    running = (
        select(batches.c.project, func.count().label("n"))
        .join(shards, shards.c.batch_id == batches.c.id)
        .where(
            batches.c.status == BatchStatus.IN_PROGRESS.value,
            shards.c.status == "running",
            shards.c.lease_expires_at >= now,
        )
    )
    if models is not None:
        live = live.where(batches.c.model.in_(list(models)))
        running = running.where(batches.c.model.in_(list(models)))
    due = {r.project: r.due for r in conn.execute(live.group_by(batches.c.project))}
    used = {r.project: r.n for r in conn.execute(running.group_by(batches.c.project))}

    def key(project: str) -> tuple[float, int, str]:
        share = used.get(project, 0) / weight_of(weights, project)
        return (share, due[project], project)

    return sorted(due, key=key)


def weight_of(weights: Mapping[str, int], project: str) -> int:
    """The project's weight; indexing lets a defaultdict supply the configured default."""
    try:
        return max(1, weights[project])
    except KeyError:
        return DEFAULT_WEIGHT


def batch_order(
    conn: Connection,
    project: str,
    models: Collection[str] | None,
    *,
    now: float = 0.0,
    aging_seconds: float | None = None,
) -> list[str]:
    """The project's live batches: those waiting too long, then feasible before at risk,
    each earliest deadline first, then in submission order.

    The claim then asks each batch for its first runnable shard by primary key, so it never
    sorts the pending shards: the cost follows the number of live batches, not shards.
    """
    at_risk = case((batch_progress.c.at_risk_reason.is_(None), 0), else_=1)
    keys = [at_risk, batches.c.expires_at, batches.c.seq]
    if aging_seconds is not None:
        started = exists().where(shards.c.batch_id == batches.c.id, shards.c.status != "pending")
        # An at-risk batch does not jump the queue: it would only take lines from batches
        # that can still finish, and leave one more partly done.
        waited = and_(
            batches.c.in_progress_at <= now - aging_seconds,
            ~started,
            batch_progress.c.at_risk_reason.is_(None),
        )
        keys = [case((waited, 0), else_=1), case((waited, batches.c.seq), else_=0), *keys]
    query = (
        select(batches.c.id)
        .join(batch_progress, batch_progress.c.batch_id == batches.c.id, isouter=True)
        .where(
            batches.c.project == project,
            batches.c.status == BatchStatus.IN_PROGRESS.value,
            batches.c.stop_reason.is_(None),
        )
        .order_by(*keys)
    )
    if models is not None:
        query = query.where(batches.c.model.in_(list(models)))
    return list(conn.execute(query).scalars())
