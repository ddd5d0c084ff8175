"""`batchyard collect` after the server's retention sweeper deleted a part's results."""

from __future__ import annotations

import time
from pathlib import Path

import openai
from tests.client.support import ServerFactory, chat_requests, manifest_of, read_jsonl, run


def test_collect_says_the_results_expired_and_when(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(
        project_defaults={"output_retention_seconds": 1}, engine={"sweep_seconds": 0.2}
    )
    requests = chat_requests(tmp_path / "in.jsonl", 30)
    manifest = tmp_path / "in.batchyard.json"
    run("submit", requests, "--base-url", server.base_url, "--max-requests", "20", "--wait",
        "--interval", "0.1")  # fmt: skip
    parts = manifest_of(manifest)["parts"]
    client = server.client()
    deadline = time.monotonic() + 30
    for part in parts:  # the sweeper deletes each output file a second after it is written
        while True:
            try:
                client.files.retrieve(part["output_file_id"])
            except openai.NotFoundError:
                break
            assert time.monotonic() < deadline, "the sweeper did not delete the results"
            time.sleep(0.1)

    out = run("collect", manifest, "-o", tmp_path / "out.jsonl")
    assert "Run the command again" not in out.output
    assert "0 ok, 0 failed, 30 missing" in out.output
    for part in parts:
        assert f"{part['name']}: its results expired: the server deleted result file" in out.output
    assert "the batch ended 20" in out.output and "UTC" in out.output  # when, in UTC
    assert "`batchyard retry` runs its lines again" in out.output
    lines = read_jsonl(tmp_path / "out.jsonl")
    assert len(lines) == 30 and all("expired" in x["error"]["message"] for x in lines)
    again = run("collect", manifest, "-o", tmp_path / "again.jsonl")  # said again, no refetch
    assert "its results expired" in again.output
