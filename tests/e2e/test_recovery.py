"""Fault injection: SIGKILL the server at random moments; no line is lost or duplicated.

The mock backend's `call_log` records every request as it reaches the "upstream",
so the tests can count how much paid work a crash made the engine redo.
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import openai
import pytest
from tests.e2e.conftest import ServerFactory, chat_lines, results, wait_for

TERMINAL = {"completed", "failed", "cancelled", "expired"}


def mock_model(call_log: Path, **options: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": "batchyard-mock",
            "backend": "mock",
            "call_log": str(call_log),
            "max_group": 1,
            **options,
        }
    ]


def start_batch(client: openai.OpenAI, n: int) -> str:
    file = client.files.create(file=("in.jsonl", chat_lines(n)), purpose="batch")
    return client.batches.create(
        input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h"
    ).id


def assert_exactly_once(client: openai.OpenAI, batch: Any, n: int) -> None:
    lines = results(client, batch.output_file_id) + results(client, batch.error_file_id)
    ids = Counter(line["custom_id"] for line in lines)
    assert sorted(ids) == sorted(f"r{i}" for i in range(n)), "a line was lost"
    assert max(ids.values()) == 1, "a line was written twice"
    assert batch.request_counts.completed + batch.request_counts.failed == n


@pytest.mark.slow
def test_random_sigkills_lose_nothing_and_redo_little(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.log"
    # About 1,000 lines/s: 64 in flight, 60 ms each.
    models = mock_model(calls, latency_ms=60, max_concurrency=64)
    server = make_server(models=models)
    n = 6000
    batch_id = start_batch(server.client(), n)
    rng = random.Random(7)
    kills = 0
    while kills < 4:
        time.sleep(rng.uniform(0.3, 1.5))
        status = server.client().batches.retrieve(batch_id).status
        if status in TERMINAL:
            break
        server.kill()
        kills += 1
        server = make_server(models=models)
    batch = wait_for(server.client(), batch_id, TERMINAL, timeout=120)
    assert batch.status == "completed"
    assert kills >= 2
    assert_exactly_once(server.client(), batch, n)

    executed = Counter(calls.read_text().split())
    redone = sum(executed.values()) - len(executed)
    # Per crash: the lines in flight (64) plus the last checkpoint interval's (~500).
    assert redone <= kills * 2 * 1000, f"{redone} lines re-run over {kills} crashes"


def test_a_crash_while_finalizing_is_finished_by_the_next_start(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    # Wide embeddings make the result files large, so finalizing takes a while.
    models = [{"name": "batchyard-mock", "backend": "mock", "dimensions": 2048}]
    server = make_server(models=models)
    n = 4000
    client = server.client()
    file = client.files.create(
        file=(
            "in.jsonl",
            b"".join(
                b'{"custom_id":"r%d","method":"POST","url":"/v1/embeddings",'
                b'"body":{"model":"batchyard-mock","input":"text %d"}}\n' % (i, i)
                for i in range(n)
            ),
        ),
        purpose="batch",
    )
    batch_id = client.batches.create(
        input_file_id=file.id, endpoint="/v1/embeddings", completion_window="24h"
    ).id
    caught = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.batches.retrieve(batch_id).status
        if status == "finalizing":
            server.kill()
            caught = True
            break
        if status in TERMINAL:
            break
    if not caught:
        pytest.skip("the batch finalized before the test could catch it (machine too fast)")
    server = make_server(models=models)
    batch = wait_for(server.client(), batch_id, TERMINAL, timeout=60)
    assert batch.status == "completed"
    assert_exactly_once(server.client(), batch, n)


def test_a_frozen_worker_loses_its_lease_and_stops_writing(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    """Two processes share the database; one freezes past its lease, the other takes over."""
    calls = tmp_path / "calls.log"
    models = mock_model(calls, latency_ms=50, max_concurrency=16)
    engine = {"lease_seconds": 2.0, "shard_lines": 500}
    first = make_server(models=models, engine=engine)
    n = 3000
    batch_id = start_batch(first.client(), n)
    wait_for(first.client(), batch_id, {"in_progress"})
    time.sleep(0.8)
    assert first.proc is not None
    first.proc.send_signal(signal.SIGSTOP)  # alive, holding leases, doing nothing
    try:
        second = make_server(models=models, engine=engine)
        time.sleep(3.0)  # past the lease: the second process takes the shards over
    finally:
        first.proc.send_signal(signal.SIGCONT)  # wakes up, finds its leases gone
    batch = wait_for(second.client(), batch_id, TERMINAL, timeout=120)
    assert batch.status == "completed"
    assert_exactly_once(second.client(), batch, n)
    assert first.proc.poll() is None, "the first process keeps serving"


def test_batchyard_run_resumes_after_kill(tmp_path: Path) -> None:
    import subprocess
    import sys

    calls = tmp_path / "calls.log"
    config = tmp_path / "config.toml"
    config.write_text(
        '[[models]]\nname = "batchyard-mock"\nbackend = "mock"\nlatency_ms = 20\n'
        f'max_concurrency = 32\nmax_group = 1\ncall_log = "{calls}"\n'
    )
    requests = tmp_path / "requests.jsonl"
    n = 3000
    requests.write_bytes(chat_lines(n))
    command = [
        sys.executable,
        "-m",
        "batchyard",
        "run",
        str(requests),
        "--config",
        str(config),
        "--data-dir",
        str(tmp_path / "state"),
        "-o",
        str(tmp_path / "out.jsonl"),
    ]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while (
        not calls.exists() or len(calls.read_text().split()) < 500
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    before = len(calls.read_text().split())
    assert before < n

    second = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Resuming batch_" in second.stderr
    out = (tmp_path / "out.jsonl").read_text().splitlines()
    assert len(out) == n
    executed = Counter(calls.read_text().split())
    assert len(executed) == n
    assert sum(executed.values()) - n < 1500, "the resumed run started over"
