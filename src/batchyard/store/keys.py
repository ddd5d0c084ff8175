"""API keys in the metadata store: create, authenticate, list, revoke.

Only a key's hash is stored. `authenticate` runs on every request, so it is one
indexed lookup, and it writes `last_used_at` at most once a minute per key.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.engine import RowMapping

from batchyard import apikeys
from batchyard.store.rows import record_of
from batchyard.store.schema import api_keys, dashboard_sessions

# `last_used_at` is refreshed when it is at least this old, to spare a write per request.
LAST_USED_RESOLUTION_SECONDS = 60


@dataclass(slots=True)
class ApiKey:
    """A key as `keys list` shows it: never the secret, only its redacted form."""

    id: str
    project: str
    redacted: str
    created_at: int
    last_used_at: int | None = None
    revoked_at: int | None = None


class KeyStore:
    """The `api_keys` table, on the store's SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, project: str, now: int) -> tuple[ApiKey, str]:
        """A new key for `project`: its record, and the secret, which exists only here."""
        apikeys.check_project_name(project)
        secret = apikeys.new_key()
        record = ApiKey(
            id=apikeys.new_key_id(),
            project=project,
            redacted=apikeys.redact(secret),
            created_at=now,
        )
        with self.engine.begin() as conn:
            conn.execute(
                insert(api_keys).values(
                    id=record.id,
                    project=record.project,
                    key_hash=apikeys.key_hash(secret),
                    redacted=record.redacted,
                    created_at=record.created_at,
                )
            )
        return record, secret

    def authenticate(self, key: str, now: int) -> ApiKey | None:
        """The live key `key` is, or None (unknown or revoked)."""
        digest = apikeys.key_hash(key)
        with self.engine.begin() as conn:
            row = (
                conn.execute(
                    select(api_keys).where(
                        api_keys.c.key_hash == digest, api_keys.c.revoked_at.is_(None)
                    )
                )
                .mappings()
                .first()
            )
            if row is None or not apikeys.same_hash(row["key_hash"], digest):
                return None
            last_used = row["last_used_at"]
            if last_used is None or now - last_used >= LAST_USED_RESOLUTION_SECONDS:
                conn.execute(
                    update(api_keys).where(api_keys.c.id == row["id"]).values(last_used_at=now)
                )
        record = _key(row)
        record.last_used_at = now if last_used is None else max(last_used, now)
        return record

    def any_created(self) -> bool:
        """Whether any key was ever created; revoked keys count, so auth never turns off."""
        with self.engine.begin() as conn:
            return conn.execute(select(api_keys.c.id).limit(1)).first() is not None

    def all(self, project: str | None = None) -> list[ApiKey]:
        """Every key, oldest first, revoked ones included."""
        query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
        if project is not None:
            query = query.where(api_keys.c.project == project)
        with self.engine.begin() as conn:
            return [_key(r) for r in conn.execute(query).mappings().all()]

    def revoke(self, key_id: str, now: int) -> ApiKey | None:
        """Revoke a key at once, and end its dashboard sessions; revoking it again keeps
        the first time. None if unknown."""
        with self.engine.begin() as conn:
            conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.key_id == key_id))
            row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).mappings().first()
        return _key(row) if row else None


def _key(row: RowMapping) -> ApiKey:
    return record_of(ApiKey, row)
