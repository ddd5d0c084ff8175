"""A client killed anywhere resumes from its manifest and never creates a batch twice."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from tests.client.support import (
    MOCK,
    ServerFactory,
    chat_requests,
    manifest_of,
    read_jsonl,
    run,
    spawn,
)

from batchyard.client.submit import CRASH_ENV


@pytest.mark.parametrize("point", ["created", "uploaded"])
def test_killed_right_after_the_server_made_something_adopts_it(
    make_server: ServerFactory, tmp_path: Path, point: str
) -> None:
    """The worst moment: the server has the batch (or file), the manifest does not."""
    server = make_server()
    requests = chat_requests(tmp_path / "in.jsonl", 300)
    args = ("submit", requests, "--base-url", server.base_url, "--max-requests", "100")
    child = spawn(*args, env={CRASH_ENV: f"{point}:part-0002"})
    assert child.wait(timeout=60) == -signal.SIGKILL
    manifest = tmp_path / "in.batchyard.json"
    part = manifest_of(manifest)["parts"][1]
    assert part["state"] == ("creating" if point == "created" else "uploading")

    out = run(*args, "--wait", "--interval", "0.1")
    assert "found its" in out.output and "from an earlier run" in out.output
    job = manifest_of(manifest)
    assert len(server.batches(job["job"])) == 3  # not 4
    uploads = [f for f in server.client().files.list(purpose="batch")]
    assert len(uploads) == 3
    run("collect", manifest, "-o", tmp_path / "out.jsonl")
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 300


def test_submit_killed_mid_job_is_finished_by_watch_without_resubmitting(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    """One batch at a time, so `submit` is still running when SIGKILL comes."""
    server = make_server(models=[{**MOCK, "latency_ms": 50, "max_group": 8, "max_concurrency": 8}])
    requests = chat_requests(tmp_path / "in.jsonl", 1200)
    manifest = tmp_path / "in.batchyard.json"
    child = spawn("submit", requests, "--base-url", server.base_url, "--max-requests", "400",
                  "-k", "1", "--interval", "0.1")  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if manifest.exists() and any(p["batch_id"] for p in manifest_of(manifest)["parts"]):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("submit never created a batch")
    child.send_signal(signal.SIGKILL)
    child.wait()
    started = [p for p in manifest_of(manifest)["parts"] if p["batch_id"]]
    assert 1 <= len(started) < 3, "killed too late to test a resume"

    run("watch", manifest, "--interval", "0.1")
    job = manifest_of(manifest)
    assert all(p["status"] == "completed" for p in job["parts"])
    assert len(server.batches(job["job"])) == 3
    ids = [p["batch_id"] for p in job["parts"]]
    assert ids[: len(started)] == [p["batch_id"] for p in started]  # kept, not redone
    out = run("collect", manifest, "-o", tmp_path / "out.jsonl")
    assert "1,200 ok" in out.output
    # Running submit again changes nothing: the job is done.
    run("submit", requests, "--base-url", server.base_url, "--max-requests", "400")
    assert len(server.batches(job["job"])) == 3


def test_a_second_command_on_the_same_job_is_refused(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(models=[{**MOCK, "latency_ms": 200, "max_group": 1, "max_concurrency": 1}])
    requests = chat_requests(tmp_path / "in.jsonl", 40)
    manifest = tmp_path / "in.batchyard.json"
    child = spawn("submit", requests, "--base-url", server.base_url, "--wait", "--interval", "0.1")
    try:
        deadline = time.monotonic() + 30
        while not manifest.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        out = run("watch", manifest, ok=False)
        assert "another batchyard command is working on" in out.output
        other = run("submit", requests, "--base-url", "http://127.0.0.1:1/v1", ok=False)
        assert "another batchyard command" in other.output
    finally:
        child.kill()
        child.wait()
    moved = run("watch", manifest, "--base-url", "http://127.0.0.1:1/v1", ok=False)
    assert f"this job's batches live on {server.base_url}" in moved.output


def test_retry_killed_after_the_server_made_the_retry_adopts_it(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    """The server-side retry is bracketed like a create: a resume finds the batch by its
    job and part tags (sent in the retry's metadata) instead of retrying again."""
    server = make_server(models=[{**MOCK, "error_rate": 0.3, "seed": 3}])
    requests = chat_requests(tmp_path / "in.jsonl", 40)
    manifest = tmp_path / "in.batchyard.json"
    run("submit", requests, "--base-url", server.base_url, "--max-requests", "20",
        "--wait", "--interval", "0.1")  # fmt: skip
    run("collect", manifest, "-o", tmp_path / "first.jsonl")
    server.restart(models=[MOCK])
    child = spawn("retry", manifest, env={CRASH_ENV: "created:retry1-0002"})
    assert child.wait(timeout=60) == -signal.SIGKILL
    killed = {p["name"]: p for p in manifest_of(manifest)["parts"]}["retry1-0002"]
    assert killed["state"] == "creating" and killed["retry_of"] and killed["batch_id"] is None

    out = run("watch", manifest, "--interval", "0.1")
    assert "retry1-0002: found its batch" in out.output
    job = manifest_of(manifest)
    assert len(server.batches(job["job"])) == len(job["parts"]) == 4  # not 5
    final = run("collect", manifest, "-o", tmp_path / "final.jsonl", "--strict")
    assert "40 ok, 0 failed, 0 missing" in final.output
