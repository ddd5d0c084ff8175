"""What a project holds now, counted for its quotas: stored bytes, active batches, lines.

The counting functions take an open connection so that `Store` can check a
quota and insert the row it guards in one transaction; `lock_project` makes
concurrent checks for one project take turns on PostgreSQL (SQLite's immediate
transactions already do).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from batchyard.records import TERMINAL, BatchStatus
from batchyard.store.schema import batches, files, shards


@dataclass(slots=True, frozen=True)
class ProjectUsage:
    stored_bytes: int  # live files: uploads and batch results
    active_batches: int  # batches that have not ended
    enqueued_lines: int  # lines of running batches that have not run yet


def lock_project(conn: Connection, project: str) -> None:
    """Serialize quota checks of one project until the transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"quota:{project}"))))


def stored_bytes(conn: Connection, project: str) -> int:
    total = conn.execute(
        select(func.coalesce(func.sum(files.c.bytes), 0)).where(
            files.c.project == project, files.c.deleted_at.is_(None)
        )
    ).scalar()
    return int(total or 0)


def active_batches(conn: Connection, project: str) -> int:
    count = conn.execute(
        select(func.count()).where(
            batches.c.project == project,
            batches.c.status.not_in([s.value for s in TERMINAL]),
        )
    ).scalar()
    return int(count or 0)


def enqueued_lines(conn: Connection, project: str) -> int:
    """Lines of the project's running batches (not stopping) that have no result yet."""
    running = (
        batches.c.project == project,
        batches.c.status == BatchStatus.IN_PROGRESS.value,
        batches.c.stop_reason.is_(None),
    )
    total = conn.execute(select(func.coalesce(func.sum(batches.c.total), 0)).where(*running))
    done = conn.execute(
        select(func.coalesce(func.sum(shards.c.completed + shards.c.failed), 0))
        .select_from(shards.join(batches, batches.c.id == shards.c.batch_id))
        .where(*running)
    )
    return max(0, int(total.scalar() or 0) - int(done.scalar() or 0))


class UsageStore:
    """Read-only view of a project's usage, for checks made outside a write."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def of(self, project: str) -> ProjectUsage:
        with self.engine.begin() as conn:
            return ProjectUsage(
                stored_bytes=stored_bytes(conn, project),
                active_batches=active_batches(conn, project),
                enqueued_lines=enqueued_lines(conn, project),
            )
