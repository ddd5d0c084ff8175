"""Retention and the enqueued-line quota, in a real server with its sweeper and engine."""

from __future__ import annotations

import time
from pathlib import Path

import openai
import sqlalchemy
from tests.e2e.conftest import ServerFactory, chat_lines, wait_for

from batchyard.store import Store
from batchyard.store.schema import files

MODELS = [
    {"name": "batchyard-mock", "backend": "mock"},
    {"name": "slow", "backend": "mock", "max_concurrency": 1, "latency_ms": 100, "max_group": 1},
]
HOUR = {"anchor": "created_at", "seconds": 3600}


def upload(client: openai.OpenAI, data: bytes, **kw: object) -> str:
    return client.files.create(file=("in.jsonl", data), purpose="batch", **kw).id  # type: ignore[arg-type]


def batch(client: openai.OpenAI, file_id: str, **kw: object) -> str:
    return client.batches.create(
        input_file_id=file_id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        **kw,  # type: ignore[arg-type]
    ).id


def gone(client: openai.OpenAI, file_id: str) -> bool:
    try:
        client.files.retrieve(file_id)
    except openai.NotFoundError:
        return True
    return False


def test_expired_files_lose_bytes_and_rows_but_a_running_input_waits(
    make_server: ServerFactory, database_url: str, tmp_path: Path
) -> None:
    server = make_server(
        models=MODELS,
        project_defaults={"file_retention_seconds": 1, "output_retention_seconds": 1},
        engine={"sweep_seconds": 0.2},
    )
    client = server.client()
    asked = upload(client, chat_lines(1), expires_after=HOUR)  # the client's value wins
    slow_input = upload(client, chat_lines(20, model="slow"))
    slow = batch(client, slow_input)
    kept_output = batch(client, upload(client, chat_lines(2)), output_expires_after=HOUR)

    time.sleep(1.5)  # the slow input has expired, but its batch is still running
    assert client.batches.retrieve(slow).status in {"validating", "in_progress"}
    assert client.files.retrieve(slow_input).id == slow_input
    output = wait_for(client, slow, {"completed"}).output_file_id
    assert output is not None
    kept = wait_for(client, kept_output, {"completed"}).output_file_id
    assert kept is not None

    deadline = time.monotonic() + 10
    while not (gone(client, slow_input) and gone(client, output)):
        assert time.monotonic() < deadline, "expired files were not swept"
        time.sleep(0.1)
    live = {asked, kept}
    assert {f.id for f in client.files.list()} == live
    # The sweep hides a file first, then deletes its bytes, then its row: wait for all.
    blobs = tmp_path / "data" / "blobs" / "files"
    store = Store.open(database_url)
    try:
        while True:
            with store.engine.connect() as conn:
                rows = set(conn.execute(sqlalchemy.select(files.c.id)).scalars())
            left = {p.name for p in blobs.iterdir()}
            if (rows == live and left == live) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        store.close()
    assert left == live
    assert rows == live
    assert client.batches.retrieve(slow).output_file_id == output  # the batch keeps its record


def test_a_batch_past_the_enqueued_line_limit_fails_validation(
    make_server: ServerFactory,
) -> None:
    server = make_server(project_defaults={"max_enqueued_lines": 5})
    client = server.client()
    big = wait_for(client, batch(client, upload(client, chat_lines(6))), {"failed", "completed"})
    assert big.status == "failed" and big.errors is not None and big.errors.data is not None
    error = big.errors.data[0]
    assert error.code == "enqueued_line_limit_exceeded"
    assert "Limit: 5 enqueued lines; 0 are enqueued and this batch has 6" in (error.message or "")
    fits = wait_for(client, batch(client, upload(client, chat_lines(5))), {"failed", "completed"})
    assert fits.status == "completed"
