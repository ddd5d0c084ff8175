"""The official OpenAI Node SDK (npm `openai`) drives a batch on a real `batchyard serve`.

integrations/node/batch.cjs uploads, creates, polls, downloads and lists through the
SDK's own multipart upload, pagination and file download; skipped without node or
the SDK (`scripts/extra-envs node`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest
from tests.integrations.envs import REPO, child_env, extra_env
from tests.integrations.support import assert_answered_in_order, write_requests

from batchyard.testing import ServerProcess, write_config

MOCK = {"name": "batchyard-mock", "backend": "mock", "max_concurrency": 16}


def test_node_sdk_runs_a_batch(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs node (apt-get install nodejs) and `scripts/extra-envs node`")
    env = extra_env("node")
    requests = tmp_path / "requests.jsonl"
    write_requests(requests, 10)
    config = write_config(tmp_path / "batchyard.toml", models=[MOCK])
    with ServerProcess(config, tmp_path / "data") as server:
        done = subprocess.run(
            [node, str(REPO / "integrations/node/batch.cjs"), server.base_url, str(requests),
             str(tmp_path / "results.jsonl")],
            env=child_env(OPENAI_API_KEY="test", NODE_PATH=str(env / "node_modules")),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["counts"] == {"total": 10, "completed": 10, "failed": 0}
    assert summary["listed"] == [summary["id"]]
    assert_answered_in_order(tmp_path / "results.jsonl", 10)
    assert orjson.loads((tmp_path / "results.jsonl").read_bytes().splitlines()[0])["error"] is None
