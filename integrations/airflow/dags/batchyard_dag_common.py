"""What both batchyard DAGs share: the connection, this run's params, the DAG's settings.

Airflow puts the DAGs folder on sys.path, so the DAG files import this as a plain
module; it defines no DAG itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import get_current_context

# An `openai` connection: host = batchyard's base URL, password = the API key.
CONN_ID = "batchyard"
# A server call: retried, never for long.
STEP: dict[str, Any] = {
    "retries": 3,
    "retry_delay": timedelta(seconds=30),
    "execution_timeout": timedelta(hours=1),
}


def params() -> dict[str, Any]:
    """This run's params: the DAG's defaults, overridden by `-c '{...}'` or the trigger form."""
    return dict(get_current_context()["params"])


def dag_settings(dag_id: str, **defaults: Any) -> dict[str, Any]:
    """`@dag(...)` arguments: run on demand only, never backfilled, `defaults` as params."""
    return {
        "dag_id": dag_id,
        "schedule": None,
        "start_date": datetime(2025, 1, 1),
        "catchup": False,
        "params": {"input": "requests.jsonl", "output": "results.jsonl", **defaults},
        "tags": ["batchyard"],
    }
