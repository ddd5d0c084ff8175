"""`batchyard retry`: expired, failed and missing lines go again until all are collected."""

from __future__ import annotations

from pathlib import Path

from tests.client.support import (
    MOCK,
    ServerFactory,
    WithoutRetryRoute,
    chat_requests,
    manifest_of,
    read_jsonl,
    run,
)


def test_expired_lines_are_retried_round_after_round_until_all_succeed(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    # About 20 lines/s against a 2 s window: a batch of 100 cannot finish in one.
    slow = {**MOCK, "latency_ms": 100, "max_group": 1, "max_concurrency": 2}
    server = make_server(models=[slow], limits={"completion_windows": ["24h", "2s"]})
    requests = chat_requests(tmp_path / "in.jsonl", 100)
    manifest = tmp_path / "in.batchyard.json"
    run("submit", requests, "--base-url", server.base_url, "--completion-window", "2s",
        "--wait", "--interval", "0.2")  # fmt: skip
    first = run("collect", manifest, "-o", tmp_path / "first.jsonl")
    assert "batch_expired" in first.output
    expired = [x for x in read_jsonl(tmp_path / "first.jsonl") if x["error"]]
    assert 20 < len(expired) < 100

    out = run("retry", manifest, "--until-done", "--max-rounds", "6", "--interval", "0.2")
    assert "nothing to retry" in out.output
    # Each line once, by its final outcome: the expired lines that then succeeded are
    # not also counted as failed.
    last = [line for line in out.output.splitlines() if "succeeded" in line][-1]
    assert last.endswith("100 succeeded, 0 failed of 100 requests"), last
    job = manifest_of(manifest)
    rounds = {p["round"] for p in job["parts"]}
    assert job["rounds"] >= 1 and rounds == set(range(job["rounds"] + 1))
    assert len(server.batches(job["job"])) == len(job["parts"])
    final = run("collect", manifest, "-o", tmp_path / "final.jsonl", "--strict")
    assert "100 ok, 0 failed, 0 missing" in final.output
    lines = read_jsonl(tmp_path / "final.jsonl")
    assert [x["custom_id"] for x in lines] == [f"r{i}" for i in range(100)]
    assert all(x["response"]["status_code"] == 200 for x in lines)


def test_failed_and_missing_lines_are_retried_once_the_upstream_is_fixed(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(models=[{**MOCK, "error_rate": 0.3}])
    good = chat_requests(tmp_path / "good.jsonl", 40)
    # `late` is not served yet: its batch fails validation and its lines have no result.
    late = chat_requests(tmp_path / "late.jsonl", 20, model="late", prefix="x")
    manifest = tmp_path / "job.batchyard.json"
    run("submit", good, late, "-m", manifest, "--base-url", server.base_url,
        "--max-requests", "20", "--wait", "--interval", "0.1", "--no-model-check",
        ok=False)  # fmt: skip
    assert [p["status"] for p in manifest_of(manifest)["parts"]] == [
        "completed",
        "completed",
        "failed",
    ]
    first = run("collect", manifest, "-o", tmp_path / "first.csv")
    failed = int(first.output.split(" ok, ")[1].split(" failed")[0])
    assert 3 < failed < 25 and "mock_error" in first.output and "20 missing" in first.output

    only_expired = run("retry", manifest, "--codes", "batch_expired", "--dry-run")
    assert "20 lines would be retried" in only_expired.output  # the missing ones
    only_failed = run("retry", manifest, "--codes", "mock_error", "--no-missing", "--dry-run")
    assert f"{failed} lines would be retried" in only_failed.output

    server.restart(models=[MOCK, {**MOCK, "name": "late"}])  # the upstream is fixed
    out = run("retry", manifest, "--wait", "--interval", "0.1")
    assert f"round 1: {failed + 20} lines in" in out.output
    parts = manifest_of(manifest)["parts"]
    retries = [p for p in parts if p["round"] == 1]
    # The two completed batches are retried by the server (nothing uploaded); the batch
    # that failed validation has no error file, so its lines are sent from here.
    on_server = [p for p in retries if p["retry_of"]]
    assert sorted(p["retry_of"] for p in on_server) == sorted(p["batch_id"] for p in parts[:2])
    assert out.output.count("retried by the server") == 2
    for part in on_server:
        assert part["path"] == "" and part["file_id"] is None
        batch = server.client().batches.retrieve(part["batch_id"])
        assert batch.metadata is not None
        assert batch.metadata["batchyard_retry_of"] == part["retry_of"]
        assert batch.metadata["batchyard_part"] == part["name"]
        assert batch.request_counts is not None and batch.request_counts.total == part["requests"]
    assert sum(p["requests"] for p in on_server) == failed
    [local] = [p for p in retries if not p["retry_of"]]
    lines = read_jsonl(tmp_path / "job.batchyard" / local["path"])
    assert [line["custom_id"] for line in lines] == [f"x{i}" for i in range(20)]
    final = run("collect", manifest, "-o", tmp_path / "final.csv", "--strict")
    assert "60 ok, 0 failed, 0 missing" in final.output
    rows = (tmp_path / "final.csv").read_text().splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == [f"r{i}" for i in range(40)] + [
        f"x{i}" for i in range(20)
    ]
    assert run("retry", manifest).output.strip().endswith("nothing to retry")


def test_a_server_without_the_retry_route_gets_the_lines_sent_from_here(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    # A front that answers the retry route as OpenAI answers an unknown URL (404):
    # `retry` falls back to writing and uploading the retry files itself.
    server = make_server(models=[{**MOCK, "error_rate": 0.3, "seed": 3}])
    front = WithoutRetryRoute(server.base_url)
    try:
        requests = chat_requests(tmp_path / "in.jsonl", 40)
        manifest = tmp_path / "in.batchyard.json"
        run("submit", requests, "--base-url", front.base_url, "--max-requests", "20",
            "--wait", "--interval", "0.1")  # fmt: skip
        first = run("collect", manifest, "-o", tmp_path / "first.jsonl")
        failed = int(first.output.split(" ok, ")[1].split(" failed")[0])
        assert 0 < failed < 40

        server.restart(models=[MOCK])  # the upstream is fixed
        out = run("retry", manifest, "--wait", "--interval", "0.1")
        assert "the server has no retry route; its lines are sent from here" in out.output
        assert front.refused == 1  # asked once; the other part went client-side unasked
        retries = [p for p in manifest_of(manifest)["parts"] if p["round"] == 1]
        assert len(retries) == 2 and not any(p["retry_of"] for p in retries)
        sent = [read_jsonl(tmp_path / "in.batchyard" / p["path"]) for p in retries]
        assert sum(len(lines) for lines in sent) == failed
        for part in retries:
            batch = server.client().batches.retrieve(part["batch_id"])
            assert "batchyard_retry_of" not in (batch.metadata or {})
        final = run("collect", manifest, "-o", tmp_path / "final.jsonl", "--strict")
        assert "40 ok, 0 failed, 0 missing" in final.output
    finally:
        front.close()


def test_client_side_retry_is_kept_on_request(make_server: ServerFactory, tmp_path: Path) -> None:
    server = make_server(models=[{**MOCK, "error_rate": 0.3, "seed": 5}])
    requests = chat_requests(tmp_path / "in.jsonl", 30)
    manifest = tmp_path / "in.batchyard.json"
    run("submit", requests, "--base-url", server.base_url, "--wait", "--interval", "0.1")
    run("collect", manifest, "-o", tmp_path / "first.jsonl")
    server.restart(models=[MOCK])
    run("retry", manifest, "--client-side", "--wait", "--interval", "0.1")
    [retry] = [p for p in manifest_of(manifest)["parts"] if p["round"] == 1]
    assert retry["retry_of"] is None and retry["file_id"] is not None
    batch = server.client().batches.retrieve(retry["batch_id"])
    assert "batchyard_retry_of" not in (batch.metadata or {})
    final = run("collect", manifest, "-o", tmp_path / "final.jsonl", "--strict")
    assert "30 ok, 0 failed, 0 missing" in final.output
