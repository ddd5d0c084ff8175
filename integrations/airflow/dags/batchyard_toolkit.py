"""A batch job through batchyard's toolkit: split, submit, wait, retry, collect in order.

The steps the OpenAI provider lacks: a file past the server's limits is split
into several batches (at most `max_in_flight` at once), lines that failed or that a
batch ended without are sent again as a retry round, and the results are merged
into one file in input order. Each task calls one step of
`batchyard.client.pipeline`; every server call is recorded in the job's manifest
first, so Airflow's task retries resume the job and never create a batch twice.
The key comes from the same `openai` connection as the provider DAG (host =
batchyard's base URL, password = API key).

    airflow dags test batchyard_toolkit -c '{"input": "requests.jsonl",
        "output": "results.jsonl", "max_requests": 50000}'
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseHook, dag, task
from batchyard_dag_common import CONN_ID, STEP, dag_settings, params

from batchyard.client import pipeline

# A batch is terminal within its 24 h window; 25 h of waiting means something is stuck.
WAIT = {"retries": 3, "retry_delay": timedelta(minutes=5), "execution_timeout": timedelta(hours=25)}


def _connect() -> str:
    """The connection's base URL; its key goes where the toolkit reads it."""
    conn = BaseHook.get_connection(CONN_ID)
    os.environ["OPENAI_API_KEY"] = conn.password or ""
    return str(conn.host)


@dag(**dag_settings("batchyard_toolkit", max_requests=50_000, poll_interval=30.0))
def batchyard_toolkit() -> None:
    @task(**STEP)
    def prepare() -> str:
        job = pipeline.prepare(
            [params()["input"]],
            params()["output"] + ".batchyard.json",
            base_url=_connect(),
            max_requests=int(params()["max_requests"]),
        )
        return str(job["manifest"])

    @task(**STEP)
    def submit(manifest: str) -> str:
        _connect()
        pipeline.submit(manifest)
        return manifest

    @task(**WAIT)
    def wait(manifest: str) -> str:
        _connect()
        pipeline.wait(manifest, interval=float(params()["poll_interval"]))
        return manifest

    @task(**STEP)
    def retry(manifest: str) -> str:
        """Queue the failed and missing lines as round n; the next submit/wait sends them."""
        _connect()
        pipeline.retry(manifest)
        return manifest

    @task(**STEP)
    def collect(manifest: str) -> dict[str, Any]:
        _connect()
        outcome = pipeline.collect(manifest, params()["output"])
        if not outcome["complete"]:
            raise RuntimeError(f"not every line succeeded after a retry round: {outcome}")
        return outcome

    first = wait(submit(prepare()))
    second = wait.override(task_id="wait_retry")(
        submit.override(task_id="submit_retry")(retry(first))
    )
    collect(second)


batchyard_toolkit()
