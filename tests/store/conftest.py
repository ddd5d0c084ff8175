"""The `store` fixture every store test runs on: SQLite, and PostgreSQL when configured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batchyard.store import Store


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store.open(database_url)
    yield store
    store.close()
