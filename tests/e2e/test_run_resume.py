"""`batchyard run` and the demo: a rerun resumes by content, Ctrl-C says what it does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.conftest import chat_lines

from batchyard.config import load_settings
from batchyard.store import Store
from batchyard.testing import write_config

SLOW = {"name": "batchyard-mock", "backend": "mock", "latency_ms": 50, "max_concurrency": 2,
        "max_group": 1}  # fmt: skip


def _spawn(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "batchyard", "run", *args, "--config", "by.toml"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def _interrupt_once_running(proc: subprocess.Popen[str], data: Path) -> str:
    assert proc.stdout is not None
    head = ""
    while "Started" not in head and "Resuming" not in head:
        line = proc.stdout.readline()
        assert line, head
        head += line
    time.sleep(1.5)  # validated, and some lines run
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    output = head + rest
    print(f"stopped {time.monotonic() - sent:.1f}s after SIGINT")  # target 5 s: see the note
    assert proc.returncode == 130, output
    return output


def test_ctrl_c_says_what_it_does_and_the_rerun_resumes(tmp_path: Path) -> None:
    write_config(tmp_path / "by.toml", models=[SLOW])
    (tmp_path / "requests.jsonl").write_bytes(chat_lines(2000))
    first = _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path / ".batchyard")
    assert "Started batch_" in first
    assert "Stopping: the lines in flight finish and are kept" in first
    assert "Run the same command to resume: batchyard run requests.jsonl" in first

    # The same content written again (a new mtime, as the demo's generator does): resumes.
    (tmp_path / "requests.jsonl").write_bytes(chat_lines(2000))
    second = _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path / ".batchyard")
    assert "Resuming batch_" in second
    assert first.split("Started ")[1].split()[0] == second.split("Resuming ")[1].split()[0]


def test_new_content_cancels_the_earlier_unfinished_batch(tmp_path: Path) -> None:
    write_config(tmp_path / "by.toml", models=[SLOW])
    (tmp_path / "requests.jsonl").write_bytes(chat_lines(2000))
    _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path / ".batchyard")
    (tmp_path / "requests.jsonl").write_bytes(chat_lines(30, prefix="new"))
    done = subprocess.run(
        [sys.executable, "-m", "batchyard", "run", "requests.jsonl", "--config", "by.toml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Started batch_" in done.stderr and "completed 30 lines" in done.stderr
    settings = load_settings(tmp_path / "by.toml", data_dir=tmp_path / ".batchyard")
    store = Store.open(settings.resolved_database_url)
    try:
        statuses = sorted(b.status.value for b in store.list_batches("default", limit=10)[0])
    finally:
        store.close()
    assert statuses in (["cancelled", "completed"], ["cancelling", "completed"])


def test_the_demos_generator_leaves_an_unchanged_request_file_alone(tmp_path: Path) -> None:
    script = Path(__file__).parents[2] / "examples" / "kb" / "make_requests.py"
    out = tmp_path / "requests.jsonl"
    make = [sys.executable, str(script), "--limit", "50", "-o", str(out)]
    assert "wrote 50 requests" in subprocess.run(make, capture_output=True, text=True).stdout
    stamp = out.stat().st_mtime_ns
    time.sleep(0.05)
    again = subprocess.run(make, capture_output=True, text=True).stdout
    assert "already holds these 50 requests" in again
    assert out.stat().st_mtime_ns == stamp
    changed = subprocess.run([*make[:3], "20", *make[4:]], capture_output=True, text=True)
    assert "wrote 20 requests" in changed.stdout
