"""The Airflow DAGs (integrations/airflow/dags) run by `airflow dags test` against a real serve.

Airflow 3 lives in its own env (scripts/extra-envs airflow); its connection
`batchyard` is an `openai` connection whose host is batchyard's base URL, given as
AIRFLOW_CONN_BATCHYARD, the way a deployment would set it.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from tests.integrations.envs import REPO, child_env, extra_env
from tests.integrations.support import (
    SLOW_MOCK,
    assert_answered_in_order,
    cancel_one_midway,
    write_requests,
)

from batchyard.testing import ServerProcess, write_config

pytestmark = pytest.mark.slow
FAST_MOCK = {"name": "batchyard-mock", "backend": "mock", "max_concurrency": 16}


@pytest.fixture
def airflow(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """The airflow command and its environment, its metadata database migrated."""
    command = extra_env("airflow") / "bin/airflow"
    env = child_env(
        AIRFLOW_HOME=str(tmp_path / "airflow"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "integrations/airflow/dags"),
    )
    subprocess.run([command, "db", "migrate"], env=env, check=True, capture_output=True)
    yield command, env


def dags_test(
    airflow: tuple[Path, dict[str, str]], dag: str, server: ServerProcess, conf: dict[str, object]
) -> subprocess.Popen[str]:
    command, env = airflow
    conn = {"conn_type": "openai", "host": server.base_url, "password": "test"}
    return subprocess.Popen(
        [str(command), "dags", "test", dag, "-c", json.dumps(conf)],
        env={**env, "AIRFLOW_CONN_BATCHYARD": json.dumps(conn)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finished(run: subprocess.Popen[str]) -> str:
    out, _ = run.communicate(timeout=400)
    assert run.returncode == 0, out[-4000:]
    assert "state=success" in next(x for x in out.splitlines() if "DagRun Finished" in x), out[
        -4000:
    ]
    return out


def test_provider_hook_and_operator_run_a_batch(
    tmp_path: Path, airflow: tuple[Path, dict[str, str]]
) -> None:
    requests = tmp_path / "requests.jsonl"
    write_requests(requests, 12)
    config = write_config(tmp_path / "batchyard.toml", models=[FAST_MOCK])
    with ServerProcess(config, tmp_path / "data") as server:
        conf = {"input": str(requests), "output": str(tmp_path / "results.jsonl")}
        finished(dags_test(airflow, "batchyard_openai_provider", server, conf))
        client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        (batch,) = client.batches.list().data
    assert batch.status == "completed" and (batch.metadata or {}).get("pipeline") == "airflow"
    assert_answered_in_order(tmp_path / "results.jsonl", 12)


def test_toolkit_dag_splits_retries_and_collects_in_order(
    tmp_path: Path, airflow: tuple[Path, dict[str, str]]
) -> None:
    requests = tmp_path / "requests.jsonl"
    write_requests(requests)
    config = write_config(tmp_path / "batchyard.toml", models=[SLOW_MOCK])
    with ServerProcess(config, tmp_path / "data") as server:
        conf = {
            "input": str(requests),
            "output": str(tmp_path / "results.jsonl"),
            "max_requests": 20,
            "poll_interval": 0.5,
        }
        run = dags_test(airflow, "batchyard_toolkit", server, conf)
        client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        cancelled = cancel_one_midway(client, run)
        finished(run)
        batches = {b.id: b for b in client.batches.list(limit=100)}
    assert batches[cancelled].status == "cancelled"
    assert len(batches) >= 3  # the two parts of the split and a retry batch
    assert_answered_in_order(tmp_path / "results.jsonl")
