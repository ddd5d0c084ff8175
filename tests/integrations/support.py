"""What the integration tests share: request files, a slow mock, an operator's mid-job cancel."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import openai
import orjson

from batchyard.testing import ServerProcess

LINES = 40
CHAT = "/v1/chat/completions"
# Slow enough (one line at a time, 150 ms each) for the cancel to land mid-batch.
SLOW_MOCK = {
    "name": "batchyard-mock",
    "backend": "mock",
    "latency_ms": 150,
    "max_group": 1,
    "max_concurrency": 1,
}


def write_requests(path: Path, lines: int = LINES) -> None:
    with path.open("wb") as out:
        for i in range(lines):
            body = {"model": "batchyard-mock", "messages": [{"role": "user", "content": f"q {i}"}]}
            line = {"custom_id": f"row-{i}", "method": "POST", "url": "/v1/chat/completions"}
            out.write(orjson.dumps({**line, "body": body}) + b"\n")


def cancel_one_midway(client: openai.OpenAI, driver: subprocess.Popen[str]) -> str:
    """Cancel the first batch seen running with some lines done; returns its id."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and driver.poll() is None:
        for batch in client.batches.list(limit=10):
            counts = batch.request_counts
            if batch.status == "in_progress" and counts is not None and counts.completed >= 2:
                client.batches.cancel(batch.id)
                return batch.id
        time.sleep(0.1)
    raise AssertionError("no batch was seen in progress")


def assert_answered_in_order(results: Path, lines: int = LINES) -> None:
    """One successful line per request, in input order, each echoing its own prompt."""
    rows = [orjson.loads(x) for x in results.read_bytes().splitlines()]
    assert [x["custom_id"] for x in rows] == [f"row-{i}" for i in range(lines)]
    contents = [x["response"]["body"]["choices"][0]["message"]["content"] for x in rows]
    assert contents == [f"q {i}" for i in range(lines)]


def submit_batch(
    server: ServerProcess,
    bodies: list[dict[str, Any]],
    tmp: Path,
    url: str = "/v1/chat/completions",
) -> tuple[openai.OpenAI, str]:
    """Upload one request line per body (custom_id row-<n>) and create the batch."""
    path = tmp / "requests.jsonl"
    with path.open("wb") as out:
        for i, body in enumerate(bodies):
            line = {"custom_id": f"row-{i}", "method": "POST", "url": url, "body": body}
            out.write(orjson.dumps(line) + b"\n")
    client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=2)
    with path.open("rb") as file:
        uploaded = client.files.create(file=file, purpose="batch")
    batch = client.batches.create(
        input_file_id=uploaded.id,
        endpoint=url,
        completion_window="24h",  # type: ignore[arg-type]
    )
    return client, batch.id


def wait(client: openai.OpenAI, batch_id: str, timeout: float = 300) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = client.batches.retrieve(batch_id)
        if batch.status in ("completed", "failed", "expired", "cancelled"):
            return batch
        time.sleep(0.25)
    raise AssertionError(f"batch {batch_id} still {batch.status}")


def results(client: openai.OpenAI, batch: Any) -> dict[str, Any]:
    assert batch.output_file_id, batch
    lines = client.files.content(batch.output_file_id).read().splitlines()
    return {row["custom_id"]: row for row in map(orjson.loads, lines)}
