"""What the integration tests share: request files, a slow mock, an operator's mid-job cancel,
and an upstream killed and restarted in the middle of a batch."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openai
import orjson

from batchyard.testing import ServerProcess

if TYPE_CHECKING:
    from tests.integrations.upstreams import Upstream

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


def restart_mid_batch(
    upstream: Upstream,
    server: ServerProcess,
    bodies: list[dict[str, Any]],
    tmp: Path,
    url: str = CHAT,
    down_seconds: float = 3,
) -> tuple[Any, dict[str, Any]]:
    """SIGKILL the upstream once 10 lines are done, start it again `down_seconds` later.

    Returns the finished batch and its output lines by custom_id; while the upstream
    is down the batch must still be in progress, not failed.
    """
    client, batch_id = submit_batch(server, bodies, tmp, url)
    deadline = time.monotonic() + 120
    while client.batches.retrieve(batch_id).request_counts.completed < 10:
        assert time.monotonic() < deadline, "the batch never got going"
        time.sleep(0.02)
    upstream.kill()
    time.sleep(down_seconds)  # long enough for requests to fail against a closed port
    assert client.batches.retrieve(batch_id).status == "in_progress"
    upstream.start()
    batch = wait(client, batch_id)
    return batch, results(client, batch)


def assert_all_answered(batch: Any, got: dict[str, Any], lines: int) -> None:
    """The batch completed with every one of its `lines` lines answered 200."""
    assert batch.status == "completed", batch
    assert batch.request_counts.completed == lines and batch.request_counts.failed == 0
    assert sorted(got) == sorted(f"row-{i}" for i in range(lines))
    assert all(row["response"]["status_code"] == 200 for row in got.values())
