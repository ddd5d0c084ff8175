"""The Prefect flow (integrations/prefect) against a real `batchyard serve`.

The flow runs in a Prefect 3 process of its own env (its temporary API server, no
deployment). Mid-job, an operator cancels one of its batches: the flow must collect
what finished, retry the lines the cancel cut off, and end with every line
answered, in input order.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import openai
import orjson
import pytest
from tests.integrations.envs import REPO, child_env, extra_env

from batchyard.testing import ServerProcess, write_config

pytestmark = pytest.mark.slow
LINES = 40
# Slow enough (one line at a time, 150 ms each) for the cancel to land mid-batch.
MOCK = {
    "name": "batchyard-mock",
    "backend": "mock",
    "latency_ms": 150,
    "max_group": 1,
    "max_concurrency": 1,
}


def write_requests(path: Path) -> None:
    with path.open("wb") as out:
        for i in range(LINES):
            body = {"model": "batchyard-mock", "messages": [{"role": "user", "content": f"q {i}"}]}
            line = {"custom_id": f"row-{i}", "method": "POST", "url": "/v1/chat/completions"}
            out.write(orjson.dumps({**line, "body": body}) + b"\n")


def cancel_one_midway(client: openai.OpenAI, flow: subprocess.Popen[str]) -> str:
    """Cancel the first batch seen running with some lines done; returns its id."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and flow.poll() is None:
        for batch in client.batches.list(limit=10):
            counts = batch.request_counts
            if batch.status == "in_progress" and counts is not None and counts.completed >= 2:
                client.batches.cancel(batch.id)
                return batch.id
        time.sleep(0.1)
    raise AssertionError("no batch was seen in progress")


def test_flow_submits_waits_retries_and_collects_in_order(tmp_path: Path) -> None:
    env = extra_env("prefect")
    requests = tmp_path / "requests.jsonl"
    write_requests(requests)
    config = write_config(tmp_path / "batchyard.toml", models=[MOCK])
    with ServerProcess(config, tmp_path / "data") as server:
        script = str(REPO / "integrations/prefect/batchyard_flow.py")
        args = [
            str(requests),
            "--output",
            str(tmp_path / "results.jsonl"),
            "--base-url",
            server.base_url,
        ]
        args += ["--max-requests", "20", "--poll-interval", "0.5"]
        flow = subprocess.Popen(
            [str(env / "bin/python"), script, *args],
            env=child_env(
                OPENAI_API_KEY="test",
                PREFECT_HOME=str(tmp_path / "prefect"),
                PREFECT_SERVER_ANALYTICS_ENABLED="false",
                PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        cancelled = cancel_one_midway(client, flow)
        out, _ = flow.communicate(timeout=400)
        assert flow.returncode == 0, out[-4000:]
        batches = {b.id: b for b in client.batches.list(limit=100)}

    summary = json.loads(next(x for x in reversed(out.splitlines()) if x.startswith("{")))
    assert summary["complete"] and summary["ok"] == LINES and summary["rounds"] >= 1
    assert batches[cancelled].status == "cancelled"
    assert len(batches) >= 3  # two parts and at least one retry batch
    lines = [orjson.loads(x) for x in (tmp_path / "results.jsonl").read_bytes().splitlines()]
    assert [x["custom_id"] for x in lines] == [f"row-{i}" for i in range(LINES)]
    contents = [x["response"]["body"]["choices"][0]["message"]["content"] for x in lines]
    assert contents == [f"q {i}" for i in range(LINES)]
