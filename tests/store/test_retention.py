"""The sweeper's store verbs, on SQLite and PostgreSQL: what expires, what is kept."""

from __future__ import annotations

import sqlalchemy
from tests.store.factories import NOW, add_batch, add_file, batch_record, file_record

from batchyard.records import FileRecord
from batchyard.store import Store
from batchyard.store.schema import files


def add_expiring_file(store: Store, expires_at: int | None, project: str = "p") -> FileRecord:
    return add_file(
        store, file_record(project=project, created_at=NOW - 100, expires_at=expires_at)
    )


def rows(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(sqlalchemy.select(files.c.id)).scalars())


def test_expired_files_are_hidden_then_purged(store: Store) -> None:
    expired = add_expiring_file(store, NOW - 1)
    due_now = add_expiring_file(store, NOW)
    later = add_expiring_file(store, NOW + 1)
    forever = add_expiring_file(store, None)
    taken = store.retention.take_expired(NOW)
    assert {f.id for f in taken} == {expired.id, due_now.id}
    assert {f.blob_key for f in taken} == {expired.blob_key, due_now.blob_key}
    assert store.get_file("p", expired.id) is None  # hidden before its bytes go
    assert rows(store) == {expired.id, due_now.id, later.id, forever.id}
    store.retention.purge([f.id for f in taken])
    assert rows(store) == {later.id, forever.id}
    assert store.retention.take_expired(NOW) == []


def test_a_crash_between_the_steps_is_finished_by_the_next_sweep(store: Store) -> None:
    expired = add_expiring_file(store, NOW - 1)
    assert [f.id for f in store.retention.take_expired(NOW)] == [expired.id]
    # ...the process died before deleting bytes and purging: the next sweep takes it again.
    assert [f.id for f in store.retention.take_expired(NOW + 60)] == [expired.id]
    store.retention.purge([expired.id])
    assert rows(store) == set()


def test_a_live_file_is_never_purged(store: Store) -> None:
    live = add_expiring_file(store, NOW + 3600)
    store.retention.purge([live.id])
    assert store.get_file("p", live.id) is not None


def test_the_input_of_an_unfinished_batch_is_kept_until_it_ends(store: Store) -> None:
    file = add_expiring_file(store, NOW - 1)
    batch = add_batch(store, file.id)
    assert store.retention.take_expired(NOW) == []
    assert store.get_file("p", file.id) is not None
    assert store.claim_validation("v", NOW, 30) is not None
    store.fail_validation(batch.id, "v", [{"code": "x"}], NOW)
    assert [f.id for f in store.retention.take_expired(NOW)] == [file.id]


def test_another_projects_batch_does_not_keep_a_file_alive(store: Store) -> None:
    file = add_expiring_file(store, NOW - 1, project="p")
    add_batch(store, batch_record(file.id, project="q"))
    assert [f.id for f in store.retention.take_expired(NOW)] == [file.id]


def test_deleted_files_tombstones_go_once_their_expiry_passes(store: Store) -> None:
    file = add_expiring_file(store, NOW + 10)
    deleted = store.delete_file("p", file.id, NOW)
    assert deleted is not None and deleted.filename == ""  # the tombstone keeps no name
    assert store.retention.take_expired(NOW) == []
    assert [f.id for f in store.retention.take_expired(NOW + 10)] == [file.id]
    store.retention.purge([file.id])
    assert rows(store) == set()


def test_sweeps_take_at_most_their_limit(store: Store) -> None:
    made = {add_expiring_file(store, NOW - 1).id for _ in range(5)}
    first = store.retention.take_expired(NOW, limit=3)
    assert len(first) == 3
    store.retention.purge([f.id for f in first])
    rest = store.retention.take_expired(NOW, limit=10)
    assert {f.id for f in rest} == made - {f.id for f in first}
