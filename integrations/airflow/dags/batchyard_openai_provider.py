"""One batch through the Airflow OpenAI provider's own hook and operator, against batchyard.

The connection (default `batchyard`) is an `openai` connection whose host is
batchyard's base URL and whose password is the API key, e.g. as an env var:

    AIRFLOW_CONN_BATCHYARD='{"conn_type": "openai", "host": "http://127.0.0.1:8000/v1",
                             "password": "<key>"}'

Run it with `airflow dags test batchyard_openai_provider -c '{"input": "requests.jsonl",
"output": "results.jsonl"}'`. The provider's operator creates the batch and waits; it
has no step for splitting large files, merging results in input order or retrying
lines: the `batchyard_toolkit` DAG does those.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.openai.hooks.openai import OpenAIHook
from airflow.providers.openai.operators.openai import OpenAITriggerBatchOperator
from airflow.sdk import dag, task
from batchyard_dag_common import CONN_ID, STEP, dag_settings, params


@dag(**dag_settings("batchyard_openai_provider", endpoint="/v1/chat/completions"))
def batchyard_openai_provider() -> None:
    @task(**STEP)
    def upload() -> str:
        """Upload the request file (purpose batch); its file id goes to XCom."""
        return str(OpenAIHook(conn_id=CONN_ID).upload_file(params()["input"], purpose="batch").id)

    batch = OpenAITriggerBatchOperator(
        task_id="batch",
        conn_id=CONN_ID,
        file_id="{{ ti.xcom_pull(task_ids='upload') }}",
        endpoint="{{ params.endpoint }}",
        metadata={"pipeline": "airflow"},
        wait_seconds=1,
        timeout=24 * 3600,
        execution_timeout=timedelta(hours=25),
    )

    @task(**STEP)
    def download(batch_id: str) -> dict[str, int]:
        """Save the output file; return the batch's counts."""
        hook = OpenAIHook(conn_id=CONN_ID)
        done = hook.get_batch(batch_id)
        if done.output_file_id is None:
            raise RuntimeError(f"batch {batch_id} ended {done.status} without an output file")
        hook.conn.files.content(done.output_file_id).write_to_file(params()["output"])
        counts = done.request_counts
        assert counts is not None
        return {"total": counts.total, "completed": counts.completed, "failed": counts.failed}

    upload_id = upload()
    upload_id >> batch
    download(batch.output)


batchyard_openai_provider()
