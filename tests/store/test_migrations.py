"""Migrations: an empty database migrates to exactly the declared schema, on both stores.

`store/schema.py` is what the code queries; the migrations are what a database
really gets. Alembic's comparison (the same one `alembic check` runs) must find
no difference between them, or a migration is missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from batchyard.store import Store, migrate
from batchyard.store.database import connect
from batchyard.store.schema import batches, files, metadata, shards


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def test_an_empty_database_migrates_to_the_declared_schema(database_url: str) -> None:
    store = Store.open(database_url)
    try:
        assert differences(store.engine) == []
        tables = set(inspect(store.engine).get_table_names())
        assert tables == set(metadata.tables) | {"alembic_version"}
        with store.engine.connect() as conn:
            assert migrate.current(conn) == migrate.head()
    finally:
        store.close()


def test_the_comparison_notices_a_schema_that_drifted(database_url: str) -> None:
    """The check above can fail: drop one index and it is reported."""
    store = Store.open(database_url)
    try:
        with store.engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_shards_status"))
        assert any("ix_shards_status" in repr(diff) for diff in differences(store.engine))
    finally:
        store.close()


def test_opening_again_changes_nothing(database_url: str) -> None:
    Store.open(database_url).close()
    store = Store.open(database_url)
    try:
        assert differences(store.engine) == []
    finally:
        store.close()


@pytest.mark.parametrize("made_by", ["issue 3", "issue 8"])
def test_a_database_made_before_migrations_is_adopted_with_its_rows(
    database_url: str, made_by: str
) -> None:
    """Before migrations, `create_all` made the tables: first three, later the webhook ones."""
    engine = connect(database_url)
    tables = None if made_by == "issue 8" else [files, batches, shards]
    metadata.create_all(engine, tables=tables)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO files (id, project, purpose, filename, bytes, created_at, status,"
                " blob_key) VALUES ('file-old', 'p', 'batch', 'a.jsonl', 1, 1, 'processed',"
                " 'files/file-old')"
            )
        )
    engine.dispose()
    store = Store.open(database_url)
    try:
        assert store.get_file("p", "file-old") is not None
        assert differences(store.engine) == []
        with store.engine.connect() as conn:
            assert migrate.current(conn) == migrate.head()
    finally:
        store.close()


_OPEN_ON_GO = """
import sys
from batchyard.store import Store
print("ready", flush=True)
sys.stdin.readline()
Store.open(sys.argv[1]).close()
"""


def test_many_processes_starting_at_once_migrate_once(database_url: str) -> None:
    """Without the migration lock, the losers of the race fail on `CREATE TABLE`."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_ON_GO, database_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    for proc in procs:  # every process has imported everything: the race is the migration
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()[-2000:]
    store = Store.open(database_url)
    try:
        assert differences(store.engine) == []
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT count(*) FROM alembic_version")).scalar()
        assert versions == 1
    finally:
        store.close()


def test_migrations_ship_inside_the_package() -> None:
    """They are read from the installed package, so they work from a wheel."""
    import batchyard

    assert migrate.MIGRATIONS.is_relative_to(batchyard.__path__[0])
    assert (migrate.MIGRATIONS / "env.py").is_file()
    assert migrate.head() == max(
        p.name.split("_", 1)[0] for p in (migrate.MIGRATIONS / "versions").glob("[0-9]*.py")
    )


def test_migrations_form_one_line_named_by_their_revision() -> None:
    """Two branches that each add a migration make two heads: merge them by renumbering
    one (docs/migrations.md). Each file is `<revision>_<slug>.py`."""
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(scripts.get_heads()) == 1, "several heads: renumber the newer migration"
    for script in scripts.walk_revisions():
        assert script.path is not None
        assert Path(script.path).name.startswith(f"{script.revision}_")
