"""LiteLLM's SDK (PyPI `litellm`) with batchyard as its OpenAI provider, on a real server.

integrations/litellm/batch.py runs in the litellm env (`scripts/extra-envs litellm`):
a batch through LiteLLM's own create_file / create_batch / retrieve_batch /
file_content / list_batches, then a synchronous `litellm.completion` on the
`openai/` prefix, all with `api_base` set to batchyard.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.integrations.envs import REPO, child_env, extra_env
from tests.integrations.support import assert_answered_in_order, write_requests

from batchyard.testing import ServerProcess, write_config

pytestmark = pytest.mark.slow
MOCK = {"name": "batchyard-mock", "backend": "mock", "max_concurrency": 16}


def test_litellm_runs_a_batch_and_a_completion(tmp_path: Path) -> None:
    env = extra_env("litellm")
    requests = tmp_path / "requests.jsonl"
    write_requests(requests, 10)
    config = write_config(tmp_path / "batchyard.toml", models=[MOCK])
    with ServerProcess(config, tmp_path / "data") as server:
        done = subprocess.run(
            [str(env / "bin/python"), str(REPO / "integrations/litellm/batch.py"),
             server.base_url, "batchyard-mock", str(requests), str(tmp_path / "results.jsonl")],
            env=child_env(OPENAI_API_KEY="test", LITELLM_LOCAL_MODEL_COST_MAP="True"),
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["counts"] == {"total": 10, "completed": 10, "failed": 0}
    assert summary["metadata"] == {"client": "litellm"}
    assert summary["listed"] == [summary["id"]]
    assert_answered_in_order(tmp_path / "results.jsonl", 10)
    # The mock echoes the last user message; LiteLLM parsed batchyard's chat completion.
    assert summary["completion"] == "hello from litellm"
    assert summary["completion_model"] == "batchyard-mock"
    assert summary["usage"] > 0
