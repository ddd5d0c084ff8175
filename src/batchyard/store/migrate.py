"""Bringing a database's schema up to date: at every start, from any number of processes.

The migrations (Alembic, shipped in `batchyard/store/migrations`) run inside one
transaction that first takes a lock: a PostgreSQL advisory lock, or SQLite's
write lock (every transaction there begins IMMEDIATE). So when many processes
start at once, one upgrades and the others wait, then find nothing left to do.
PostgreSQL's DDL is transactional, so a failed upgrade leaves nothing behind.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

log = logging.getLogger("batchyard.store")

MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant will do, as long as nothing else in the database uses it: "batchyar".
LOCK_KEY = 0x6261746368796172
# Databases made by `metadata.create_all` before migrations existed: the newest table
# they have says which revision's schema that was. Frozen: later tables come by migration.
BEFORE_MIGRATIONS = (("0003", "api_keys"), ("0002", "webhook_endpoints"), ("0001", "batches"))


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest revision this version of batchyard knows."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(conn: Connection) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply every migration the database lacks, under the migration lock."""
    config = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        before = current(conn)
        if before is None:
            before = _unversioned_revision(conn)
            if before is not None:
                config.attributes["connection"] = conn
                command.stamp(config, before)
        target = head()
        if before == target:
            return
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    log.info("database schema upgraded from %s to %s", before or "nothing", target)


def _unversioned_revision(conn: Connection) -> str | None:
    """The revision of a database made by `create_all`, or None for an empty one."""
    inspector = inspect(conn)
    for revision, table in BEFORE_MIGRATIONS:
        if inspector.has_table(table):
            return revision
    return None
