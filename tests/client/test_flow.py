"""A spreadsheet to ordered results in three commands, and what collect reports."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pyarrow.parquet as pq
from tests.client.support import (
    MOCK,
    ServerFactory,
    chat_requests,
    manifest_of,
    read_jsonl,
    run,
    run_measured,
)


def test_120k_rows_go_from_csv_to_ordered_results_in_three_commands(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(models=[{**MOCK, "max_concurrency": 256}])
    n = 120_000
    data = tmp_path / "rows.csv"
    with open(data, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "text"])
        writer.writerows([f"q{i}", f"question {i}"] for i in range(n))
    requests = tmp_path / "requests.jsonl"
    results = tmp_path / "results.csv"

    started = time.monotonic()
    run("prepare", data, "-m", "batchyard-mock", "--user", "Answer: {text}", "--id-column", "id",
        "-o", requests)  # fmt: skip
    run("submit", requests, "--base-url", server.base_url, "--wait", "--interval", "0.2")
    output, peak_kb = run_measured("collect", tmp_path / "requests.batchyard.json", "-o", results)
    elapsed = time.monotonic() - started
    print(f"120k rows, prepare + submit --wait + collect: {elapsed:.1f}s; collect {peak_kb} KiB")

    assert "120,000 ok, 0 failed, 0 missing" in output
    # ~95 MB of results merged by streaming: no more memory than a bare client.
    assert peak_kb < 128 * 1024
    manifest = manifest_of(tmp_path / "requests.batchyard.json")
    batches = server.batches(manifest["job"])
    assert len(batches) == 3  # the server takes 50,000 lines per batch
    assert sorted(b.request_counts.total for b in batches) == [40_000] * 3
    with open(results, newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == n
    assert [r["custom_id"] for r in rows] == [f"q{i}" for i in range(n)]  # input order
    assert all(r["status"] == "ok" for r in rows)
    assert rows[12345]["content"] == "Answer: question 12345"


def test_collect_writes_jsonl_and_parquet_and_names_missing_ids(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server()
    good = chat_requests(tmp_path / "good.jsonl", 30)
    # A model this server does not have, sent unchecked: it fails at the server.
    unknown = chat_requests(tmp_path / "other.jsonl", 10, model="no-such-model", prefix="x")
    manifest = tmp_path / "job.batchyard.json"
    run("submit", good, unknown, "-m", manifest, "--base-url", server.base_url,
        "--max-requests", "20", "--wait", "--interval", "0.1", "--no-model-check",
        ok=False)  # fmt: skip
    job = manifest_of(manifest)
    # Balanced at 20 a part, and a new part where the model changes.
    assert [p["requests"] for p in job["parts"]] == [20, 10, 10]
    merged = tmp_path / "merged.jsonl"
    missing_file = tmp_path / "missing.txt"
    out = run("collect", manifest, "-o", merged, "--missing-ids", missing_file)
    # The third part (x0..x9) fails validation at the server: no result for any of it.
    assert "30 ok, 0 failed, 10 missing" in out.output
    assert "no result for: x0, x1" in out.output
    lines = read_jsonl(merged)
    ids = [f"r{i}" for i in range(30)] + [f"x{i}" for i in range(10)]
    assert [line["custom_id"] for line in lines] == ids
    assert lines[0]["response"]["status_code"] == 200
    assert lines[35]["error"]["code"] == "batchyard_missing"
    assert "status failed" in lines[35]["error"]["message"]
    assert missing_file.read_text().split() == ids[30:]
    strict = run("collect", manifest, "-o", tmp_path / "r.parquet", "--strict", ok=False)
    assert "10 missing" in strict.output
    table = pq.read_table(tmp_path / "r.parquet").to_pylist()
    assert [row["status"] for row in table] == ["ok"] * 30 + ["missing"] * 10
    assert table[3]["content"] == "say 3" and table[3]["input_tokens"] == 2
