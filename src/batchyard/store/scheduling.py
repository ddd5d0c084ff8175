"""Fair share between projects, decided inside the shard claim.

No scheduler process: each claim counts the shards each project runs now, divides by the
project's weight, and tries the projects most under their share first. Within a project
shards go earliest deadline first, then in submission order, so parts of one job finish
whole rather than all partly. See docs/scheduling.md.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import Connection, func, select

from batchyard.records import BatchStatus
from batchyard.store.schema import batches, shards

DEFAULT_WEIGHT = 1


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


def batch_order(conn: Connection, project: str, models: Collection[str] | None) -> list[str]:
    """The project's live batches, earliest deadline first, then in submission order.

    The claim then asks each batch for its first runnable shard by primary key, so it never
    sorts the pending shards: the cost follows the number of live batches, not shards.
    """
    query = (
        select(batches.c.id)
        .where(
            batches.c.project == project,
            batches.c.status == BatchStatus.IN_PROGRESS.value,
            batches.c.stop_reason.is_(None),
        )
        .order_by(batches.c.expires_at, batches.c.seq)
    )
    if models is not None:
        query = query.where(batches.c.model.in_(list(models)))
    return list(conn.execute(query).scalars())
