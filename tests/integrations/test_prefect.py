"""The Prefect flow (integrations/prefect) against a real `batchyard serve`.

The flow runs in a Prefect 3 process of its own env (its temporary API server, no
deployment). Mid-job, an operator cancels one of its batches: the flow must collect
what finished, retry the lines the cancel cut off, and end with every line
answered, in input order.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openai
import pytest
from tests.integrations.envs import REPO, child_env, extra_env
from tests.integrations.support import (
    LINES,
    SLOW_MOCK,
    assert_answered_in_order,
    cancel_one_midway,
    write_requests,
)

from batchyard.testing import ServerProcess, write_config

pytestmark = pytest.mark.slow


def test_flow_submits_waits_retries_and_collects_in_order(tmp_path: Path) -> None:
    env = extra_env("prefect")
    requests = tmp_path / "requests.jsonl"
    write_requests(requests)
    config = write_config(tmp_path / "batchyard.toml", models=[SLOW_MOCK])
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
    assert_answered_in_order(tmp_path / "results.jsonl")
