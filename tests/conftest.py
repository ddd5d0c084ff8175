"""Fixtures every test layer shares: a database (and a store) of each kind, and an S3 emulator.

PostgreSQL tests read the server's URL from BATCHYARD_TEST_POSTGRES_URL (`.ci/run`
sets it) and skip, saying so, when it is unset. Each test gets its own schema.

S3 tests run against moto's server mode, started once per session on a loopback
port. It is an emulator of S3's wire protocol, not S3: it proves that we speak
the protocol as boto3 does, not how AWS, MinIO or R2 behave under load.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy

from batchyard.store import Store
from batchyard.testing import free_port

POSTGRES_URL = os.environ.get("BATCHYARD_TEST_POSTGRES_URL")


def _postgres_schema_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need BATCHYARD_TEST_POSTGRES_URL (set by .ci/run)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'batchyard.db'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A store on each database kind: what the store and API tests run on."""
    store = Store.open(database_url)
    yield store
    store.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema, for what only PostgreSQL has (NOTIFY, many hosts)."""
    yield from _postgres_schema_url()


@pytest.fixture
def other_postgres_url() -> Iterator[str]:
    """A second schema in the same database, as another deployment would have."""
    yield from _postgres_schema_url()


@pytest.fixture(scope="session")
def s3_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server (an emulator) on 127.0.0.1; yields its endpoint URL.

    The AWS variables are set for the whole session, so that servers the tests
    start find credentials the way they would in production.
    """
    port = free_port()
    log = tmp_path_factory.mktemp("s3") / "moto.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"no S3 emulator:\n{log.read_text()}") from None
                time.sleep(0.1)
        with pytest.MonkeyPatch.context() as env:
            env.setenv("AWS_ACCESS_KEY_ID", "emulator")
            env.setenv("AWS_SECRET_ACCESS_KEY", "emulator")
            env.setenv("AWS_DEFAULT_REGION", "us-east-1")
            env.delenv("AWS_ENDPOINT_URL", raising=False)
            env.delenv("AWS_PROFILE", raising=False)
            yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def _s3_admin(s3_emulator: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=s3_emulator)


@pytest.fixture
def s3_blob_url(_s3_admin: Any) -> str:
    """`s3://<fresh bucket>/batchyard` on the emulator."""
    bucket = f"t-{uuid.uuid4().hex[:16]}"
    _s3_admin.create_bucket(Bucket=bucket)
    return f"s3://{bucket}/batchyard"
