"""Crash recovery: SIGKILL the server at a random moment of a 50k-line batch, N times.

Each trial starts `batchyard serve` on a fresh SQLite data dir, runs a 50,000-line
chat batch against `mock` (10 ms per request, 64 in flight, every request logged
as it reaches the "upstream"), kills the server at a random time while lines run,
starts it again, and waits for the batch to end. It then checks the invariant
(every custom_id exactly once across the output and error files) and counts the
lines that were sent upstream more than once: the work the crash cost.

    python bench/recovery.py --trials 20

Targets (issue 3): 20 of 20 trials hold the invariant; the median number of lines
re-run per crash is at most 2 seconds' worth of throughput.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import orjson

from batchyard.testing import ServerProcess, write_config

RESULTS = Path(__file__).parent / "results"


def make_input(lines: int) -> bytes:
    return b"".join(
        b'{"custom_id":"r%d","method":"POST","url":"/v1/chat/completions","body":'
        b'{"model":"batchyard-mock","messages":[{"role":"user","content":"line %d"}]}}\n' % (i, i)
        for i in range(lines)
    )


def get(server: ServerProcess, path: str) -> dict:  # type: ignore[type-arg]
    return httpx.get(f"{server.base_url}{path}", timeout=30).json()  # type: ignore[no-any-return]


def trial(workdir: Path, lines: int, data: bytes, rng: random.Random) -> dict[str, object]:
    calls = workdir / "calls.log"
    config = write_config(
        workdir / "config.toml",
        models=[
            {
                "name": "batchyard-mock",
                "backend": "mock",
                "latency_ms": 10,
                "max_concurrency": 64,
                "max_group": 1,
                "call_log": str(calls),
            }
        ],
        limits={"max_requests_per_batch": max(lines, 50_000)},
    )
    server = ServerProcess(config, workdir / "data").start()
    upload = httpx.post(
        f"{server.base_url}/files",
        data={"purpose": "batch"},
        files={"file": ("in.jsonl", data)},
        timeout=60,
    ).json()
    batch = httpx.post(
        f"{server.base_url}/batches",
        timeout=30,
        json={
            "input_file_id": upload["id"],
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
        },
    ).json()
    while get(server, f"/batches/{batch['id']}")["status"] == "validating":
        time.sleep(0.05)
    started = time.monotonic()
    time.sleep(rng.uniform(1.0, 8.0))
    before = get(server, f"/batches/{batch['id']}")
    elapsed = time.monotonic() - started
    done_before = before["request_counts"]["completed"] + before["request_counts"]["failed"]
    server.kill()
    server = ServerProcess(config, workdir / "data").start()
    deadline = time.monotonic() + 600
    while (final := get(server, f"/batches/{batch['id']}"))["status"] not in (
        "completed",
        "failed",
        "cancelled",
        "expired",
    ):
        if time.monotonic() > deadline:
            raise RuntimeError("batch did not finish")
        time.sleep(0.2)
    server.stop()

    seen: Counter[str] = Counter()
    for key in ("output_file_id", "error_file_id"):
        if final[key]:
            content = (workdir / "data" / "blobs" / "files" / final[key]).read_bytes()
            seen.update(orjson.loads(line)["custom_id"] for line in content.splitlines())
    held = (
        final["status"] == "completed"
        and len(seen) == lines
        and max(seen.values()) == 1
        and seen.keys() == {f"r{i}" for i in range(lines)}
    )
    executed = Counter(calls.read_text().split())
    return {
        "killed_after_seconds": round(elapsed, 2),
        "lines_done_at_kill": done_before,
        "lines_per_second_before_kill": round(done_before / elapsed),
        "rerun_lines": sum(executed.values()) - len(executed),
        "invariant_held": held,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    data = make_input(args.lines)
    trials = []
    for number in range(args.trials):
        with tempfile.TemporaryDirectory(prefix="batchyard-recovery-") as tmp:
            result = trial(Path(tmp), args.lines, data, rng)
        trials.append(result)
        print(f"trial {number + 1}/{args.trials}: {result}", flush=True)

    reruns = [int(str(t["rerun_lines"])) for t in trials]
    rates = [int(str(t["lines_per_second_before_kill"])) for t in trials]
    two_seconds = 2 * statistics.median(rates)
    report = {
        "bench": "recovery",
        "lines": args.lines,
        "trials": len(trials),
        "invariant_held": sum(bool(t["invariant_held"]) for t in trials),
        "rerun_per_crash_max": max(reruns),
        "rerun_per_crash_median": statistics.median(reruns),
        "throughput_lines_per_second_median": statistics.median(rates),
        "two_seconds_of_throughput": two_seconds,
        "median_within_two_seconds": statistics.median(reruns) <= two_seconds,
        "runs": trials,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "recovery.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "recovery.md").write_text(
        "# Recovery benchmark (SIGKILL at a random time, then restart)\n\n"
        f"{args.lines:,}-line batch, mock backend 10 ms x 64 in flight, {len(trials)} trials.\n\n"
        f"- invariant held: {report['invariant_held']} of {len(trials)}\n"
        f"- lines re-run per crash: median {report['rerun_per_crash_median']}, "
        f"max {report['rerun_per_crash_max']}\n"
        f"- throughput before the kill (median): {statistics.median(rates):,.0f} lines/s, so "
        f"2 s of work = {two_seconds:,.0f} lines\n"
    )
    print(json.dumps({k: v for k, v in report.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
