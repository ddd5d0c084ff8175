"""How Alembic reaches the database, in both of the ways it is run.

At start-up `batchyard.store.migrate.upgrade` hands over an open connection
inside its own transaction (holding the migration lock). A developer running
the `alembic` command (see alembic.ini and docs/migrations.md) gets a
connection to `BATCHYARD_DATABASE_URL` instead.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from batchyard.store.database import connect
from batchyard.store.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = os.environ.get("BATCHYARD_DATABASE_URL") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("set BATCHYARD_DATABASE_URL to the database to migrate")
    engine = connect(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("batchyard migrations run online only")
_online()
