"""API keys in the store, on SQLite and PostgreSQL: hashed, looked up, revoked."""

from __future__ import annotations

import pytest
import sqlalchemy

from batchyard.apikeys import KEY_PREFIX, key_hash, redact
from batchyard.store import Store
from batchyard.store.schema import api_keys

NOW = 1_800_000_000


def test_a_key_is_random_shown_once_and_stored_only_as_its_hash(store: Store) -> None:
    record, secret = store.keys.create("acme", NOW)
    assert secret.startswith(KEY_PREFIX) and len(secret) == len(KEY_PREFIX) + 43
    assert secret[len(KEY_PREFIX) :].isalnum()
    assert record.redacted == redact(secret) == f"sk-by-…{secret[-4:]}"
    with store.engine.connect() as conn:
        rows = conn.execute(sqlalchemy.select(api_keys)).all()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert secret not in stored and secret[6:-4] not in stored
    assert rows[0].key_hash == key_hash(secret)
    others = {store.keys.create("acme", NOW)[1] for _ in range(50)}
    assert len(others) == 50 and secret not in others


def test_authenticate_finds_the_project_and_records_use(store: Store) -> None:
    assert not store.keys.any_created()
    record, secret = store.keys.create("acme", NOW)
    assert store.keys.any_created()
    found = store.keys.authenticate(secret, NOW + 5)
    assert found is not None and (found.id, found.project) == (record.id, "acme")
    assert store.keys.all()[0].last_used_at == NOW + 5
    store.keys.authenticate(secret, NOW + 30)  # within a minute: not written again
    assert store.keys.all()[0].last_used_at == NOW + 5
    store.keys.authenticate(secret, NOW + 65)
    assert store.keys.all()[0].last_used_at == NOW + 65
    assert store.keys.authenticate(secret + "x", NOW) is None
    assert store.keys.authenticate(secret[:-1], NOW) is None
    assert store.keys.authenticate("", NOW) is None


def test_revoke_is_final_and_keys_stay_listed(store: Store) -> None:
    record, secret = store.keys.create("acme", NOW)
    _, other = store.keys.create("zeta", NOW + 1)
    revoked = store.keys.revoke(record.id, NOW + 10)
    assert revoked is not None and revoked.revoked_at == NOW + 10
    again = store.keys.revoke(record.id, NOW + 20)
    assert again is not None and again.revoked_at == NOW + 10
    assert store.keys.authenticate(secret, NOW + 30) is None
    assert store.keys.authenticate(other, NOW + 30) is not None
    assert store.keys.revoke("key_nope", NOW) is None
    assert [k.project for k in store.keys.all()] == ["acme", "zeta"]
    assert [k.project for k in store.keys.all("zeta")] == ["zeta"]
    assert store.keys.any_created()


@pytest.mark.parametrize("name", ["", "../etc", "a b", "-lead", "x" * 65, "ünï", "a/b"])
def test_project_names_are_checked(store: Store, name: str) -> None:
    with pytest.raises(ValueError, match="invalid project name"):
        store.keys.create(name, NOW)
    assert not store.keys.any_created()
