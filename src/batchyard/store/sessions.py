"""Dashboard sessions: who signed in, as which key, until when; only the token's hash is kept.

Held in the database rather than one process's memory, so every `serve` behind a
load balancer knows a session another made, and a restart signs nobody out. A
key's sessions are deleted in the transaction that revokes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select

from batchyard import apikeys
from batchyard.store.schema import api_keys, dashboard_sessions


@dataclass(frozen=True, slots=True)
class SessionRow:
    project: str
    key_id: str | None
    csrf: str
    expires_at: float


class SessionStore:
    """The `dashboard_sessions` table, on the store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, token: str, row: SessionRow, now: float) -> None:
        """Keep a new session, and drop the ones that have expired meanwhile."""
        with self.engine.begin() as conn:
            conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.expires_at < now))
            conn.execute(
                insert(dashboard_sessions).values(
                    token_hash=apikeys.key_hash(token),
                    project=row.project,
                    key_id=row.key_id,
                    csrf=row.csrf,
                    created_at=int(now),
                    expires_at=row.expires_at,
                )
            )

    def get(self, token: str, now: float) -> SessionRow | None:
        """The live session of `token`: not expired, and its key (if any) not revoked."""
        query = (
            select(dashboard_sessions, api_keys.c.revoked_at, api_keys.c.project.label("owner"))
            .outerjoin(api_keys, api_keys.c.id == dashboard_sessions.c.key_id)
            .where(
                dashboard_sessions.c.token_hash == apikeys.key_hash(token),
                dashboard_sessions.c.expires_at >= now,
            )
        )
        with self.engine.begin() as conn:
            found = conn.execute(query).mappings().first()
        if found is None:
            return None
        if found["key_id"] is not None and (
            found["revoked_at"] is not None or found["owner"] != found["project"]
        ):
            return None  # revoked (or deleted) since the sign-in
        return SessionRow(found["project"], found["key_id"], found["csrf"], found["expires_at"])

    def drop(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(dashboard_sessions).where(
                    dashboard_sessions.c.token_hash == apikeys.key_hash(token)
                )
            )

    def drop_open(self) -> None:
        """End the keyless sessions: the first key was created, so sign-in is required now."""
        with self.engine.begin() as conn:
            conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.key_id.is_(None)))
