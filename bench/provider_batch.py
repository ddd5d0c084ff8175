"""The `openai-batch` backend through an upstream batchyard: pieces, pacing, memory, overhead.

Starts an upstream `batchyard serve` (mock model, 1,000 lines per batch) and a
downstream one whose model sends its lines there, then runs a baseline batch and
a large one (default 100,000 and 1,000,000 lines) each in a fresh pair. Reports
wall time, the number of pieces, the peak of enqueued tokens against the limit
from the upstream's own batch list (each piece's tokens counted from its input
file there; the pieces it held read every 0.1 s while the batch ran, and bounds
from its batches' whole-second times), the downstream's peak RSS (VmHWM), and the
downstream's overhead: its wall time past the upstream's own span of processing.

    .venv/bin/python bench/provider_batch.py --lines 100000 1000000
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import openai
import orjson

from batchyard.backends.pacing.tokens import TokenEstimator
from batchyard.endpoints import CHAT
from batchyard.testing import ServerProcess, write_config

MODEL = "gpt-up"
RESULTS = Path(__file__).with_name("results")


def lines(n: int) -> bytes:
    return b"".join(
        orjson.dumps(
            {
                "custom_id": f"r{i}",
                "method": "POST",
                "url": CHAT,
                "body": {"model": MODEL, "messages": [{"role": "user", "content": f"say {i}"}]},
            }
        )
        + b"\n"
        for i in range(n)
    )


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def ended_at(batch: Any) -> int:
    for key in ("completed_at", "failed_at", "expired_at", "cancelled_at"):
        if getattr(batch, key, None):
            return int(getattr(batch, key))
    return 1 << 62


def piece_tokens(upstream: openai.OpenAI, pieces: list[Any]) -> dict[str, int]:
    """Each piece's tokens counted line by line from its input file on the upstream (the
    estimate the downstream reserves), not from its line count."""
    estimator = TokenEstimator(MODEL)
    tokens = {}
    for b in pieces:
        content = upstream.files.content(b.input_file_id).content
        tokens[b.id] = sum(
            estimator.estimate(CHAT, orjson.loads(line)["body"]).total
            for line in content.splitlines()
            if line.strip()
        )
    return tokens


def enqueued_peaks(tokens: dict[str, int], pieces: list[Any]) -> tuple[int, int]:
    """The most tokens the upstream held at once by its batches' own times, which are whole
    seconds: an end in a create's own second read as before it (low), and as after (high)."""
    low = high = 0
    for p in pieces:
        t = p.created_at
        low = max(low, sum(tokens[o.id] for o in pieces if o.created_at <= t < ended_at(o)))
        high = max(high, sum(tokens[o.id] for o in pieces if o.created_at <= t <= ended_at(o)))
    return low, high


LIVE = frozenset({"validating", "in_progress", "finalizing", "cancelling"})


class Sampler:
    """Reads the upstream's own batch list every `every` seconds while the batch runs and
    keeps each reading's set of pieces the upstream holds (not yet ended). The newest 100
    cover every live piece as long as fewer than 100 are live at once (the limit allows
    about 14 here); a reading that cannot see its oldest live piece is counted as unsure."""

    def __init__(self, base_url: str, every: float = 0.1) -> None:
        self.client = openai.OpenAI(base_url=base_url, api_key="bench", max_retries=3)
        self.every = every
        self.readings: list[frozenset[str]] = []
        self.unsure = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.client.close()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            page = self.client.batches.list(limit=100)
            live = frozenset(b.id for b in page.data if b.metadata and b.status in LIVE)
            if live and page.has_more and page.data[-1].status in LIVE:
                self.unsure += 1
            self.readings.append(live)


def measure(n: int, limit: int, work: Path) -> dict[str, Any]:
    up_cfg = write_config(
        work / "up.toml",
        models=[{"name": MODEL, "backend": "mock", "max_concurrency": 256}],
        limits={"max_requests_per_batch": 1000},
    )
    up = ServerProcess(up_cfg, work / "up-data").start()
    down_cfg = write_config(
        work / "down.toml",
        models=[
            {
                "name": MODEL,
                "backend": "openai-batch",
                "base_url": up.base_url,
                "max_lines_per_batch": 1000,
                "enqueued_tokens": limit,
                "poll_seconds": 0.2,
                "max_concurrency": 64,
            }
        ],
        limits={"max_requests_per_batch": n, "max_batch_file_bytes": 1 << 31},
        engine={"shard_lines": 5000},
    )
    down = ServerProcess(down_cfg, work / "down-data").start()
    try:
        client = openai.OpenAI(base_url=down.base_url, api_key="bench", max_retries=3)
        data = lines(n)
        file = client.files.create(file=("in.jsonl", io.BytesIO(data)), purpose="batch")
        started = time.monotonic()
        batch = client.batches.create(input_file_id=file.id, endpoint=CHAT, completion_window="24h")
        with Sampler(up.base_url) as sampler:
            while batch.status not in ("completed", "failed", "expired", "cancelled"):
                time.sleep(0.5)
                batch = client.batches.retrieve(batch.id)
        wall = time.monotonic() - started
        assert down.proc is not None
        rss = peak_rss_kib(down.proc.pid)
        upstream = openai.OpenAI(base_url=up.base_url, api_key="bench", max_retries=3)
        pieces = [b for b in upstream.batches.list(limit=100) if b.metadata]
        tokens = piece_tokens(upstream, pieces)
        low, high = enqueued_peaks(tokens, pieces)
        observed = max((sum(tokens[i] for i in r) for r in sampler.readings), default=0)
        span = max(b.completed_at or 0 for b in pieces) - min(b.created_at for b in pieces)
        return {
            "lines": n,
            "status": batch.status,
            "completed": batch.request_counts.completed,
            "wall_seconds": round(wall, 1),
            "pieces": len(pieces),
            "pieces_created_twice": len(pieces)
            - len({b.metadata["batchyard_piece"] for b in pieces}),
            # The upstream's own times are whole seconds: a piece ending in the second
            # another is created may have ended before it (low) or after (high). High at
            # or under the limit proves it was never passed.
            "peak_enqueued_tokens_observed": observed,  # the upstream's list, every 0.1 s
            "readings": len(sampler.readings),
            "unsure_readings": sampler.unsure,
            "limit_never_passed_observed": observed <= limit,
            "peak_enqueued_tokens_low": low,
            "peak_enqueued_tokens_high": high,
            "enqueued_tokens_limit": limit,
            "limit_never_passed_by_seconds": high <= limit,
            "downstream_peak_rss_mib": round(rss / 1024, 1),
            "upstream_span_seconds": span,
            "downstream_overhead": round((wall - span) / span, 3) if span else None,
        }
    finally:
        for server in (down, up):
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--enqueued-tokens", type=int, default=200_000)
    parser.add_argument("--report", default="provider-batch")
    args = parser.parse_args()
    rows = []
    for n in args.lines:
        with tempfile.TemporaryDirectory() as tmp:
            row = measure(n, args.enqueued_tokens, Path(tmp))
        print(json.dumps(row))
        rows.append(row)
    report = {"runs": rows}
    if len(rows) > 1:
        report["rss_ratio_largest_vs_smallest"] = round(
            rows[-1]["downstream_peak_rss_mib"] / rows[0]["downstream_peak_rss_mib"], 3
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.report}.json").write_text(json.dumps(report, indent=2) + "\n")
    table = [
        "| lines | wall s | pieces | twice | peak enq. tokens seen / limit | RSS MiB | overhead |"
    ]
    table.append("|---|---|---|---|---|---|---|")
    for r in rows:
        table.append(
            f"| {r['lines']:,} | {r['wall_seconds']} | {r['pieces']} | "
            f"{r['pieces_created_twice']} | {r['peak_enqueued_tokens_observed']:,} / "
            f"{r['enqueued_tokens_limit']:,} | {r['downstream_peak_rss_mib']} | "
            f"{r['downstream_overhead']} |"
        )
    (RESULTS / f"{args.report}.md").write_text(
        "# openai-batch through an upstream batchyard\n\n" + "\n".join(table) + "\n"
    )
    print("\n".join(table))


if __name__ == "__main__":
    main()
