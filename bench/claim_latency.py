"""Shard claim latency with a long queue: 100,000 pending shards over many projects.

Fills a fresh store (PostgreSQL by default) with in-progress batches, then times single
fair-share claims (`Store.claim_shard` with weights), first with 1,000 pending shards as the
same-run baseline, then with the full queue. Prints p50/p99 and writes
bench/results/claim-latency.{json,md}.

    python bench/claim_latency.py --url postgresql://postgres@127.0.0.1:5432/test

Target (issue 16): p99 under 20 ms with 100,000 pending shards on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine

from batchyard import ids
from batchyard.records import BatchRecord, BatchStatus, FileRecord, ShardRecord
from batchyard.store import Store

RESULTS = Path(__file__).parent / "results"
NOW = 1_800_000_000


def fill(store: Store, shards: int, projects: int, per_batch: int) -> None:
    for b in range(shards // per_batch):
        project = f"p{b % projects}"
        file_id = ids.file_id()
        store.add_file(
            FileRecord(
                id=file_id,
                project=project,
                purpose="batch",
                filename="in.jsonl",
                bytes=1,
                created_at=NOW,
                expires_at=None,
                blob_key=f"f/{file_id}",
            )
        )
        batch = BatchRecord(
            id=ids.batch_id(),
            project=project,
            endpoint="/v1/chat/completions",
            input_file_id=file_id,
            completion_window="24h",
            status=BatchStatus.VALIDATING,
            created_at=NOW,
            expires_at=NOW + 3600 + b,
        )
        store.add_batch(batch)
        assert store.claim_validation("v", NOW, 30) is not None
        parts = [
            ShardRecord(batch.id, i, first_line=i, last_line=i, start=i, end=i + 1, requests=1)
            for i in range(per_batch)
        ]
        store.start_batch(batch.id, "v", "m", parts, NOW)


def analyze(url: str) -> None:
    """Refresh the planner's statistics, as autovacuum would after a bulk insert."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def time_claims(store: Store, n: int, weights: dict[str, int]) -> list[float]:
    took = []
    for i in range(n):
        start = time.perf_counter()
        # The engine's defaults: the fair order with aging (300 s), as `serve` claims.
        claim = store.claim_shard(f"w{i}", NOW, 30, ["m"], weights, aging_seconds=300)
        took.append((time.perf_counter() - start) * 1000)
        assert claim is not None
    return took


def summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 3),
    }


def run(url: str, shards: int, projects: int, claims: int) -> dict[str, object]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in url else "?"
    scoped = f"{url}{sep}options=-csearch_path%3D{schema}"
    try:
        store = Store.open(scoped)
        weights = {f"p{i}": 1 + i % 3 for i in range(projects)}
        fill(store, 1000, projects, 100)
        small = summary(time_claims(store, claims, weights))
        fill(store, shards - 1000, projects, 1000)
        analyze(scoped)
        large = summary(time_claims(store, claims, weights))
        store.close()
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
    return {
        "pending_shards": shards,
        "projects": projects,
        "claims": claims,
        "baseline_1k": small,
        "full": large,
        "p99_ratio": round(large["p99_ms"] / small["p99_ms"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--shards", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--claims", type=int, default=500)
    args = parser.parse_args()
    result = run(args.url, args.shards, args.projects, args.claims)
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "claim-latency.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "claim-latency.md").write_text(
        f"# Shard claim latency (PostgreSQL, {result['projects']} projects)\n\n"
        "| pending shards | p50 ms | p99 ms |\n|---|---|---|\n"
        f"| 1,000 | {result['baseline_1k']['p50_ms']} | {result['baseline_1k']['p99_ms']} |\n"  # type: ignore[index]
        f"| {args.shards:,} | {result['full']['p50_ms']} | {result['full']['p99_ms']} |\n"  # type: ignore[index]
    )


if __name__ == "__main__":
    main()
