"""Retention: find files whose `expires_at` has passed, and remove their rows.

Sweeping is two steps around the blob deletion, so a crash between them loses
nothing: `take_expired` hides the files first (a tombstone, as `DELETE` makes),
the caller deletes their bytes, and `purge` removes the rows. A tombstone whose
expiry has passed is taken again by the next sweep. A file that an unfinished
batch reads is skipped until the batch ends (house rule).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Engine, and_, exists, not_, select, update

from batchyard.records import TERMINAL
from batchyard.store.schema import batches, files


@dataclass(slots=True, frozen=True)
class ExpiredFile:
    id: str
    project: str
    blob_key: str


class RetentionStore:
    """The sweeper's verbs on the `files` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def take_expired(self, now: int, limit: int = 100) -> list[ExpiredFile]:
        """Hide up to `limit` expired files that no unfinished batch reads; return them."""
        in_use = exists().where(
            batches.c.input_file_id == files.c.id,
            batches.c.project == files.c.project,
            batches.c.status.not_in([s.value for s in TERMINAL]),
        )
        due = and_(files.c.expires_at.is_not(None), files.c.expires_at <= now, not_(in_use))
        query = (
            select(files.c.id, files.c.project, files.c.blob_key)
            .where(due)
            .order_by(files.c.expires_at)
            .limit(limit)
        )
        if self.engine.dialect.name == "postgresql":
            query = query.with_for_update(of=files, skip_locked=True)
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
            if rows:
                conn.execute(
                    update(files)
                    .where(files.c.id.in_([r.id for r in rows]), files.c.deleted_at.is_(None))
                    .values(deleted_at=now)
                )
        return [ExpiredFile(r.id, r.project, r.blob_key) for r in rows]

    def purge(self, file_ids: Collection[str]) -> None:
        """Remove the rows of files whose bytes are gone."""
        if not file_ids:
            return
        with self.engine.begin() as conn:
            conn.execute(
                files.delete().where(
                    files.c.id.in_(list(file_ids)), files.c.deleted_at.is_not(None)
                )
            )
