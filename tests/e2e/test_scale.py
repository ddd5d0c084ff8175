"""Many processes, one database, one bucket: the deployment of docs/scaling.md, for real.

Every process here is a real `batchyard serve --no-worker` or `batchyard worker`
with its own data folder, so nothing can pass through a shared disk: state
lives in PostgreSQL and in S3 only. S3 is moto's server (an emulator of the
wire protocol, started by the test session on 127.0.0.1), not AWS.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import httpx
import openai
import pytest
from sqlalchemy import text
from tests.e2e.conftest import chat_lines, results, wait_for

from batchyard.store.database import connect
from batchyard.testing import ServerProcess, WorkerProcess, free_port, write_config

TERMINAL = {"completed", "failed", "cancelled", "expired"}


def client(process: ServerProcess) -> openai.OpenAI:
    return openai.OpenAI(base_url=process.base_url, api_key="test", max_retries=0)


def submit(api: ServerProcess, lines: bytes, window: str = "24h") -> str:
    sdk = client(api)
    file = sdk.files.create(file=("in.jsonl", lines), purpose="batch")
    return sdk.batches.create(
        input_file_id=file.id,
        endpoint="/v1/chat/completions",
        completion_window=window,  # type: ignore[arg-type]
    ).id


def exactly_once(sdk: openai.OpenAI, batch: Any, expected: list[str]) -> None:
    lines = results(sdk, batch.output_file_id) + results(sdk, batch.error_file_id)
    ids = Counter(line["custom_id"] for line in lines)
    assert sorted(ids) == sorted(expected), f"{batch.id}: a line was lost"
    assert max(ids.values()) == 1, f"{batch.id}: a line was written twice"
    assert batch.request_counts.completed + batch.request_counts.failed == len(expected)


def bucket_keys(blob_url: str, endpoint: str) -> list[str]:
    bucket = blob_url.split("/")[2]
    listed = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in listed.get("Contents", [])]


@pytest.mark.slow
def test_a_batch_keeps_its_bytes_in_the_s3_emulator(
    database_url: str, s3_blob_url: str, s3_emulator: str, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "config.toml",
        database_url=database_url,
        blob_url=s3_blob_url,
        s3={"endpoint_url": s3_emulator},
        engine={"shard_lines": 50},
        models=[{"name": "batchyard-mock", "backend": "mock", "max_group": 1}],
    )
    with ServerProcess(config, tmp_path / "data") as server:
        sdk = client(server)
        batch_id = submit(server, chat_lines(300))
        batch = wait_for(sdk, batch_id, TERMINAL, timeout=60)
        assert batch.status == "completed"
        exactly_once(sdk, batch, [f"r{i}" for i in range(300)])
        keys = bucket_keys(s3_blob_url, s3_emulator)
        assert f"batchyard/files/{batch.output_file_id}" in keys
        assert f"batchyard/files/{batch.input_file_id}" in keys
        assert not [k for k in keys if "/journals/" in k], "journals outlive finalizing"
    assert not list((tmp_path / "data").rglob("files/*")), "bytes went to the local disk"


def owned_shards(database_url: str, worker: WorkerProcess) -> int:
    """Running shards whose lease holder is this worker process (`host:pid:random`)."""
    assert worker.proc is not None
    engine = connect(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM shards WHERE status = 'running' AND owner LIKE :o"),
                    {"o": f"%:{worker.proc.pid}:%"},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def wait_until(condition: Any, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_apis_and_three_workers_lose_and_duplicate_nothing(
    postgres_url: str, s3_blob_url: str, s3_emulator: str, tmp_path: Path
) -> None:
    """Concurrent batches through two API processes; one worker is SIGKILLed mid-shard and
    another drains on SIGTERM; cancel and expiry are asked of the API that did not create
    the batch. Every line lands once, and every batch is finalized by exactly one worker."""
    config = write_config(
        tmp_path / "config.toml",
        database_url=postgres_url,
        blob_url=s3_blob_url,
        s3={"endpoint_url": s3_emulator},
        limits={"completion_windows": ["24h", "4s"]},
        engine={"shard_lines": 100, "lease_seconds": 3, "listen_poll_seconds": 0.5},
        models=[
            {"name": "batchyard-mock", "backend": "mock", "latency_ms": 20, "max_group": 1,
             "max_concurrency": 16},
            {"name": "slow", "backend": "mock", "latency_ms": 400, "max_group": 1,
             "max_concurrency": 2},
        ],
    )  # fmt: skip
    apis = [ServerProcess(config, tmp_path / f"api{i}", args=["--no-worker"]) for i in range(2)]
    workers = [WorkerProcess(config, tmp_path / f"worker{i}") for i in range(3)]
    for process in [*apis, *workers]:
        process.spawn()
    for process in [*apis, *workers]:
        process.wait_ready()

    sizes = {"a": 1500, "b": 1200, "c": 900}
    made: dict[str, str] = {}

    def submit_one(prefix: str, api: ServerProcess) -> None:
        made[prefix] = submit(api, chat_lines(sizes[prefix], prefix=prefix))

    threads = [
        threading.Thread(target=submit_one, args=(prefix, apis[i % 2]))
        for i, prefix in enumerate(sizes)
    ]
    for thread in threads:
        thread.start()
    to_expire = submit(apis[1], chat_lines(100, model="slow", prefix="e"), window="4s")
    for thread in threads:
        thread.join()
    to_cancel = submit(apis[0], chat_lines(2000, prefix="x"))  # last in line: cancelled unrun

    wait_until(lambda: owned_shards(postgres_url, workers[0]) > 0, 30, "worker 0 to run a shard")
    workers[0].kill()
    wait_for(client(apis[1]), to_cancel, {"in_progress"}, timeout=30)
    assert client(apis[1]).batches.cancel(to_cancel).status in ("cancelling", "cancelled")
    assert workers[1].stop() == 0  # drains: in-flight lines finish, shards are handed back
    assert owned_shards(postgres_url, workers[1]) == 0
    probe = free_port()  # the replacement serves /health and /metrics, for orchestrators
    workers.append(
        WorkerProcess(config, tmp_path / "worker3", args=["--metrics-port", str(probe)]).spawn()
    )

    expected = {made[p]: [f"{p}{i}" for i in range(n)] for p, n in sizes.items()}
    expected[to_cancel] = [f"x{i}" for i in range(2000)]
    expected[to_expire] = [f"e{i}" for i in range(100)]
    for n, (batch_id, custom_ids) in enumerate(expected.items()):
        sdk = client(apis[n % 2])
        batch = wait_for(sdk, batch_id, TERMINAL, timeout=120)
        want = {to_cancel: "cancelled", to_expire: "expired"}.get(batch_id, "completed")
        assert batch.status == want, batch
        exactly_once(sdk, batch, custom_ids)

    engine = connect(postgres_url)
    with engine.connect() as conn:
        taken_over = conn.execute(text("SELECT max(epoch) FROM shards")).scalar_one()
    engine.dispose()
    assert taken_over >= 2, "no shard changed hands: the kill did not land mid-shard"

    logs = "".join(w.log.read_text() for w in workers)
    for batch_id in expected:
        finalized = re.findall(rf"batch {batch_id} (\w+): ", logs)
        assert len(finalized) == 1, f"{batch_id} finalized {len(finalized)} times"

    running = [*apis, workers[2], workers[3].wait_ready()]
    assert httpx.get(f"http://127.0.0.1:{probe}/health", timeout=10).status_code == 200
    scraped = httpx.get(f"http://127.0.0.1:{probe}/metrics", timeout=10).text
    assert 'batchyard_batches{status="completed"} 3.0' in scraped
    assert "batchyard_lines_total" in scraped
    procs = [process.proc for process in running if process.proc is not None]
    for proc in procs:  # all at once, as an orchestrator would
        proc.send_signal(signal.SIGTERM)
    assert [proc.wait(timeout=60) for proc in procs] == [0] * len(running)
