"""Load without loss: 200 concurrent 1 MB uploads, then 1,000 batch creates, health timed.

One `batchyard serve` (SQLite, mock model) on a fresh data dir. A probe thread
GETs `/health` every 20 ms from start to end, on its own connection, and each
answer's latency is kept by phase: idle (the baseline, same run), uploads,
creates, draining (the batches running). Every response of every phase is
counted by status, and any 5xx is a failure. At the end every created batch is
retrieved and must be terminal (and `completed`, since every line is valid).

    python bench/abuse.py                     # 200 x 1 MB, 1,000 creates
    python bench/abuse.py --uploads 20 --creates 100   # a quick look

Targets (issue 19): 0 x 5xx, 0 batches lost, health p99 reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import orjson

from batchyard.testing import ServerProcess, write_config

RESULTS = Path(__file__).parent / "results"
TERMINAL = {"completed", "failed", "cancelled", "expired"}
PAD = "x" * 150  # so a 1 MB upload is ~4,500 lines, not ~13,000 tiny ones


def jsonl(lines: int, size: int | None = None, prefix: str = "r") -> bytes:
    """Valid chat batch lines; with `size`, padded with lines to about that many bytes."""
    out, i = [], 0
    total = 0
    while (size is None and i < lines) or (size is not None and total < size):
        body = {
            "model": "batchyard-mock",
            "messages": [{"role": "user", "content": f"say {i} {PAD}"}],
        }
        request = {"custom_id": f"{prefix}{i}", "method": "POST", "url": "/v1/chat/completions"}
        line = orjson.dumps({**request, "body": body}) + b"\n"
        out.append(line)
        total += len(line)
        i += 1
    return b"".join(out)


class Probe(threading.Thread):
    """GET /health every `period` seconds; latencies by the phase they fell in."""

    def __init__(self, url: str, period: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.url, self.period = url, period
        self.phase = "idle"
        self.latencies: dict[str, list[float]] = {}
        self.statuses: Counter[int] = Counter()
        self.stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.stopping.is_set():
                phase, started = self.phase, time.perf_counter()
                try:
                    status = client.get(self.url).status_code
                except httpx.HTTPError:
                    status = 0
                self.latencies.setdefault(phase, []).append(time.perf_counter() - started)
                self.statuses[status] += 1
                self.stopping.wait(self.period)


def quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(pick(0.99) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def upload_all(base: str, count: int, size: int, statuses: Counter[int]) -> list[str]:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as client:

        async def one(n: int) -> str | None:
            data = jsonl(0, size, prefix=f"u{n}-")
            response = await client.post(
                "/files", data={"purpose": "batch"}, files={"file": (f"u{n}.jsonl", data)}
            )
            statuses[response.status_code] += 1
            return response.json().get("id") if response.status_code == 200 else None

        ids = await asyncio.gather(*(one(n) for n in range(count)))
    return [i for i in ids if i]


def create_all(client: httpx.Client, file_id: str, count: int, statuses: Counter[int]) -> list[str]:
    created = []
    for _ in range(count):
        response = client.post(
            "/batches",
            json={
                "input_file_id": file_id,
                "endpoint": "/v1/chat/completions",
                "completion_window": "24h",
            },
        )
        statuses[response.status_code] += 1
        if response.status_code == 200:
            created.append(response.json()["id"])
    return created


def drain(client: httpx.Client, ids: list[str], statuses: Counter[int], timeout: float) -> dict:  # type: ignore[type-arg]
    """Retrieve every batch until all are terminal; what each ended as."""
    final: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while len(final) < len(ids) and time.monotonic() < deadline:
        for batch_id in ids:
            if batch_id in final:
                continue
            response = client.get(f"/batches/{batch_id}")
            statuses[response.status_code] += 1
            if response.status_code == 200 and response.json()["status"] in TERMINAL:
                final[batch_id] = response.json()["status"]
        if len(final) < len(ids):
            time.sleep(0.5)
    return {
        "terminal": len(final),
        "lost": len(ids) - len(final),
        "by_status": dict(Counter(final.values())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--upload-bytes", type=int, default=1024 * 1024)
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--lines-per-batch", type=int, default=10)
    parser.add_argument("--drain-timeout", type=float, default=600)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="batchyard-abuse-") as tmp:
        work = Path(tmp)
        config = write_config(
            work / "config.toml",
            models=[{"name": "batchyard-mock", "backend": "mock", "max_concurrency": 256}],
        )
        server = ServerProcess(config, work / "data").start()
        statuses: Counter[int] = Counter()
        probe = Probe(server.base_url.removesuffix("/v1") + "/health")
        probe.start()
        try:
            time.sleep(3.0)  # the baseline: health on an idle server
            probe.phase = "uploads"
            started = time.monotonic()
            uploaded = asyncio.run(
                upload_all(server.base_url, args.uploads, args.upload_bytes, statuses)
            )
            upload_seconds = time.monotonic() - started
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                small = client.post(
                    "/files",
                    data={"purpose": "batch"},
                    files={"file": ("small.jsonl", jsonl(args.lines_per_batch))},
                )
                statuses[small.status_code] += 1
                probe.phase = "creates"
                started = time.monotonic()
                created = create_all(client, small.json()["id"], args.creates, statuses)
                create_seconds = time.monotonic() - started
                probe.phase = "draining"
                started = time.monotonic()
                ended = drain(client, created, statuses, args.drain_timeout)
                drain_seconds = time.monotonic() - started
        finally:
            probe.stopping.set()
            probe.join()
            server.stop()

    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    server_errors += sum(n for code, n in probe.statuses.items() if code >= 500 or code == 0)
    report = {
        "bench": "abuse",
        "uploads": {
            "count": args.uploads,
            "bytes_each": args.upload_bytes,
            "accepted": len(uploaded),
            "seconds": round(upload_seconds, 2),
        },
        "creates": {
            "count": args.creates,
            "accepted": len(created),
            "seconds": round(create_seconds, 2),
            "per_second": round(len(created) / create_seconds, 1),
        },
        "batches": {**ended, "seconds_to_drain": round(drain_seconds, 2)},
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "health_statuses": {str(k): v for k, v in sorted(probe.statuses.items())},
        "server_errors": server_errors,
        "health": {phase: quantiles(v) for phase, v in probe.latencies.items()},
    }
    print(json.dumps(report, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "abuse.json").write_text(json.dumps(report, indent=2) + "\n")
    rows = "\n".join(
        f"| {phase} | {q['n']} | {q['p50_ms']} | {q['p99_ms']} | {q['max_ms']} |"
        for phase, q in report["health"].items()
    )
    (RESULTS / "abuse.md").write_text(
        "# Abuse benchmark: load without loss\n\n"
        f"{args.uploads} concurrent uploads of {args.upload_bytes:,} bytes, then "
        f"{args.creates:,} batch creates in a loop ({args.lines_per_batch} lines each), "
        "one `batchyard serve` (SQLite, mock model), `GET /health` every 20 ms throughout.\n\n"
        f"- uploads accepted: {len(uploaded)} of {args.uploads} in {upload_seconds:.1f} s\n"
        f"- creates accepted: {len(created)} of {args.creates} in {create_seconds:.1f} s "
        f"({report['creates']['per_second']}/s)\n"
        f"- batches terminal: {ended['terminal']} of {len(created)} "
        f"({ended['by_status']}), lost: {ended['lost']}, drained in {drain_seconds:.1f} s\n"
        f"- 5xx (and failed health probes): {server_errors}\n"
        f"- statuses: {report['statuses']}\n\n"
        "Health latency by phase (idle is the baseline, same run):\n\n"
        "| phase | probes | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n"
        f"{rows}\n"
    )


if __name__ == "__main__":
    main()
