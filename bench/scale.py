"""Scaling out: lines/s with 1, 2 and 4 `batchyard worker` processes on one PostgreSQL.

Each run makes a fresh PostgreSQL schema, starts N worker processes (each with
the same config: `mock` at 20 ms per request, `max_group = 1` so every line is
its own call and latency binds, and a fixed `max_concurrency` per worker),
registers one batch of N x `--lines` lines straight in the store, and samples
the lines made durable (the shards' checkpointed counts) until the batch ends.

    python bench/scale.py                       # 1, 2 and 4 workers, 2 rounds each
    python bench/scale.py --concurrency 8 --workers 1 2 4 8

The headline figure is the steady rate, from 10 % to 90 % of the lines, which
leaves out validation, the first claims and the finalizer's single pass; the
end-to-end rate (batch created to `completed`) is reported beside it. Blobs go
to one local folder that all workers share (they run on this machine); an S3
emulator here would measure the emulator. Per-worker CPU use is read from
/proc, to show whether one worker is bound by latency (by design) or by CPU.

Target (issue 6): 4 workers reach at least 3x the steady rate of one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy

from batchyard import ids
from batchyard.blobs import LocalBlobStore
from batchyard.records import BatchRecord, BatchStatus, FileRecord
from batchyard.store import Store
from batchyard.testing import WorkerProcess, write_config

RESULTS = Path(__file__).parent / "results"
LATENCY_MS = 20
TICKS = os.sysconf("SC_CLK_TCK")


def make_input(lines: int) -> bytes:
    return b"".join(
        b'{"custom_id":"r%d","method":"POST","url":"/v1/chat/completions","body":'
        b'{"model":"batchyard-mock","messages":[{"role":"user","content":"line %d"}]}}\n' % (i, i)
        for i in range(lines)
    )


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def register(store: Store, blobs: LocalBlobStore, data: bytes) -> str:
    now = int(time.time())
    file_id = ids.file_id()
    with blobs.writer(f"files/{file_id}") as fh:
        fh.write(data)
    store.add_file(
        FileRecord(
            id=file_id,
            project="bench",
            purpose="batch",
            filename="in.jsonl",
            bytes=len(data),
            created_at=now,
            expires_at=None,
            blob_key=f"files/{file_id}",
        )
    )
    batch = BatchRecord(
        id=ids.batch_id(),
        project="bench",
        endpoint="/v1/chat/completions",
        input_file_id=file_id,
        completion_window="24h",
        status=BatchStatus.VALIDATING,
        created_at=now,
        expires_at=now + 86400,
    )
    store.add_batch(batch)
    return batch.id


def steady_rate(samples: list[tuple[float, int]], total: int) -> float:
    """Lines/s between the samples nearest 10 % and 90 % of the lines."""
    low = next(s for s in samples if s[1] >= 0.1 * total)
    high = next(s for s in samples if s[1] >= 0.9 * total)
    return (high[1] - low[1]) / (high[0] - low[0])


def run(postgres: str, workdir: Path, workers: int, lines: int, concurrency: int) -> dict[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(postgres.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in postgres else "?"
    url = f"{postgres}{sep}options={quote(f'-csearch_path={schema}')}"
    config = write_config(
        workdir / "config.toml",
        database_url=url,
        blob_url=str(workdir / "blobs"),
        limits={"max_requests_per_batch": lines, "max_batch_file_bytes": 1 << 30},
        engine={"shard_lines": 250},
        models=[
            {
                "name": "batchyard-mock",
                "backend": "mock",
                "latency_ms": LATENCY_MS,
                "max_group": 1,
                "max_concurrency": concurrency,
            }
        ],
    )
    procs = [WorkerProcess(config, workdir / f"worker{i}") for i in range(workers)]
    store = Store.open(url)
    try:
        for proc in procs:
            proc.spawn()
        for proc in procs:
            proc.wait_ready()
        data = make_input(lines)
        pids = [p.proc.pid for p in procs if p.proc is not None]
        cpu_before = [cpu_seconds(pid) for pid in pids]
        busy_before = machine_busy()
        started = time.monotonic()
        batch_id = register(store, LocalBlobStore(workdir / "blobs"), data)
        samples: list[tuple[float, int]] = []
        while True:
            record = store.get_batch("bench", batch_id)
            assert record is not None
            samples.append((time.monotonic() - started, record.completed + record.failed))
            if record.status.terminal:
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
        busy_after = machine_busy()
    finally:
        for proc in procs:
            if proc.proc is not None and proc.proc.poll() is None:
                proc.stop()
        store.close()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
    if record.status is not BatchStatus.COMPLETED or record.completed != lines:
        raise RuntimeError(f"batch ended {record.status} with {record.completed} of {lines}")
    machine = (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1])
    return {
        "workers": workers,
        "lines": lines,
        "steady_lines_per_second": round(steady_rate(samples, lines)),
        "end_to_end_lines_per_second": round(lines / elapsed),
        "seconds": round(elapsed, 1),
        "cpu_per_worker": [round(c / elapsed, 2) for c in cpu],
        "machine_cpu_busy": round(machine, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BATCHYARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
        help="a PostgreSQL server; each run gets its own schema, dropped afterwards",
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=8, help="in flight per worker")
    parser.add_argument("--lines", type=int, default=4000, help="lines per worker")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    runs = []
    for round_ in range(args.rounds):
        for workers in args.workers:
            with tempfile.TemporaryDirectory(prefix="batchyard-scale-") as tmp:
                result = run(
                    args.postgres, Path(tmp), workers, workers * args.lines, args.concurrency
                )
            result["round"] = round_ + 1
            runs.append(result)
            print(json.dumps(result), flush=True)

    def median(workers: int, key: str) -> float:
        return statistics.median(r[key] for r in runs if r["workers"] == workers)

    def cpu(workers: int) -> list[float]:
        return [c for r in runs if r["workers"] == workers for c in r["cpu_per_worker"]]

    base = median(args.workers[0], "steady_lines_per_second")
    table = {
        n: {
            "steady_lines_per_second": median(n, "steady_lines_per_second"),
            "end_to_end_lines_per_second": median(n, "end_to_end_lines_per_second"),
            "ratio": round(median(n, "steady_lines_per_second") / base, 2),
            "cpu_per_worker": round(statistics.median(cpu(n)), 2),
            "machine_cpu_busy": median(n, "machine_cpu_busy"),
        }
        for n in args.workers
    }
    ceiling = 1000 / LATENCY_MS * args.concurrency
    report = {
        "bench": "scale",
        "latency_ms": LATENCY_MS,
        "max_group": 1,
        "concurrency_per_worker": args.concurrency,
        "latency_bound_ceiling_per_worker": ceiling,
        "cores": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "rounds": args.rounds,
        "by_workers": table,
        "runs": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(report, indent=2) + "\n")
    rows = "\n".join(
        f"| {n} | {t['steady_lines_per_second']:,.0f} | {t['ratio']:.2f}x | "
        f"{t['end_to_end_lines_per_second']:,.0f} | {t['cpu_per_worker']:.2f} | "
        f"{t['machine_cpu_busy']:.0%} |"
        for n, t in table.items()
    )
    (RESULTS / "scale.md").write_text(
        "# Scale-out benchmark (worker processes on one PostgreSQL)\n\n"
        f"`mock` at {LATENCY_MS} ms per request, `max_group = 1`, {args.concurrency} in flight "
        f"per worker, so one worker can do at most {ceiling:,.0f} lines/s; {args.lines:,} "
        f"lines per worker; medians of {args.rounds} rounds; {os.cpu_count()} cores, load "
        f"average {load_before:.1f} before the first run.\n\n"
        + (
            "The machine was shared with other work (load average above its cores, hence the "
            "busy column): the workers' own use is the CPU-per-worker column, which shows one "
            "worker bound by latency, not by CPU.\n\n"
            if load_before > (os.cpu_count() or 1)
            else ""
        )
        + "| workers | steady lines/s | vs 1 | end-to-end lines/s | CPU per worker (cores) "
        "| machine CPU busy |\n| --- | --- | --- | --- | --- | --- |\n"
        f"{rows}\n"
    )
    print(json.dumps({k: v for k, v in report.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
