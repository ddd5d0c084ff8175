"""End-to-end pipeline speed and memory: N chat lines through `mock` (latency 0).

Each size runs in a fresh process through the same path as `batchyard run`
(register the file, validate, shard, run, journal, finalize, export), so the
figures include everything but the HTTP upload. Peak RSS is the child's VmHWM.

    python bench/pipeline.py                 # 10k and 200k lines
    python bench/pipeline.py --sizes 100000 1000000 --report pipeline-1m

Targets (issue 2): 200k lines at >= 3,000 lines/s on 2 cores; peak RSS for 200k
<= 1.5x that for 10k.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
CHILD = r"""
import json, sys, time
from pathlib import Path
from batchyard.config import load_settings
from batchyard.runtime.run import run_file

path, data_dir = Path(sys.argv[1]), Path(sys.argv[2])
settings = load_settings(data_dir=data_dir)
settings.limits.max_requests_per_batch = 10**8
settings.limits.max_batch_file_bytes = 10**12
started = time.perf_counter()
outcome = run_file(settings, path, output=data_dir / "out.jsonl", errors=data_dir / "err.jsonl")
seconds = time.perf_counter() - started
peak_kib = 0
for line in Path("/proc/self/status").read_text().splitlines():
    if line.startswith("VmHWM:"):
        peak_kib = int(line.split()[1])
print(json.dumps({"seconds": seconds, "peak_kib": peak_kib, "status": outcome.batch.status.value,
                  "completed": outcome.batch.completed, "failed": outcome.batch.failed}))
"""


def write_input(path: Path, lines: int) -> None:
    with path.open("w") as fh:
        for i in range(lines):
            body = {
                "model": "batchyard-mock",
                "messages": [
                    {"role": "system", "content": "You label support tickets."},
                    {"role": "user", "content": f"Ticket {i}: the export to CSV times out again"},
                ],
                "max_tokens": 16,
            }
            request = {
                "custom_id": f"t-{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": body,
            }
            fh.write(json.dumps(request, separators=(",", ":")) + "\n")


def measure(lines: int, workdir: Path) -> dict[str, float | int | str]:
    path = workdir / f"in-{lines}.jsonl"
    write_input(path, lines)
    data_dir = workdir / f"state-{lines}"
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(data_dir)],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["completed"] == lines, result
    path.unlink()
    return {
        "lines": lines,
        "seconds": round(result["seconds"], 2),
        "process_seconds": round(wall, 2),
        "lines_per_second": round(lines / result["seconds"]),
        "peak_rss_mib": round(result["peak_kib"] / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--report", default="pipeline", help="Report name under bench/results/.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="batchyard-bench-") as tmp:
        runs = [measure(n, Path(tmp)) for n in args.sizes]
    small, large = runs[0], runs[-1]
    report = {
        "bench": "pipeline",
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus",
        "python": platform.python_version(),
        "runs": runs,
        "largest_lines_per_second": large["lines_per_second"],
        "rss_ratio_largest_vs_smallest": round(
            float(large["peak_rss_mib"]) / float(small["peak_rss_mib"]), 3
        ),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.report}.json").write_text(json.dumps(report, indent=2) + "\n")
    rows = "\n".join(
        f"| {r['lines']:,} | {r['seconds']} | {r['lines_per_second']:,} | {r['peak_rss_mib']} |"
        for r in runs
    )
    (RESULTS / f"{args.report}.md").write_text(
        "# Pipeline benchmark (mock backend, latency 0)\n\n"
        f"{report['machine']}, Python {report['python']}\n\n"
        "| lines | seconds | lines/s | peak RSS MiB |\n|---|---|---|---|\n"
        f"{rows}\n\n"
        f"Peak RSS, {large['lines']:,} vs {small['lines']:,} lines: "
        f"{report['rss_ratio_largest_vs_smallest']}x. "
        f"Throughput at {large['lines']:,} lines: {large['lines_per_second']:,} lines/s.\n\n"
        "Targets: 200k lines at >= 3,000 lines/s with peak RSS <= 1.5x that of 10k "
        "(issue 2); peak RSS for 1M lines <= 1.3x that of 100k (issue 3).\n"
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
