"""A Prefect flow that runs a Batch API job against batchyard: prepare, submit, wait,
collect in input order, and retry the lines that did not succeed.

Each task wraps one step of batchyard's toolkit (`batchyard.client.pipeline`), which
records every server call in the job's manifest before moving on: Prefect's retries
(a network blip, a worker restart) resume the job instead of creating batches twice.
The timeouts fit the Batch API's 24 h window: a batch is terminal by then (completed,
or expired with its finished lines), so `wait` gives up only after 25 h.

    OPENAI_API_KEY=... python integrations/prefect/batchyard_flow.py requests.jsonl \
        --output results.jsonl --base-url http://127.0.0.1:8000/v1
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from prefect import flow, get_run_logger, task

from batchyard.client import pipeline

HOUR = 3600


@task(retries=3, retry_delay_seconds=[10, 60, 300], timeout_seconds=HOUR)
def prepare(inputs: list[str], manifest: str, base_url: str, max_requests: int) -> str:
    """Validate and split the inputs (nothing is sent); returns the manifest path."""
    job = pipeline.prepare(inputs, manifest, base_url=base_url, max_requests=max_requests)
    get_run_logger().info("job %s: %d parts", job["job"], job["parts"])
    return str(job["manifest"])


@task(retries=3, retry_delay_seconds=[10, 60, 300], timeout_seconds=HOUR)
def submit(manifest: str) -> dict[str, Any]:
    """Upload and create batches while slots are free (the rest start during wait)."""
    return pipeline.submit(manifest)


@task(retries=5, retry_delay_seconds=[60, 300, 900, 1800, 3600], timeout_seconds=26 * HOUR)
def wait(manifest: str, interval: float) -> dict[str, Any]:
    """Poll until every batch is terminal; a retry picks up where the last try was."""
    return pipeline.wait(manifest, interval=interval, timeout=pipeline.WAIT_TIMEOUT_S)


@task(retries=3, retry_delay_seconds=[10, 60, 300], timeout_seconds=2 * HOUR)
def collect(manifest: str, output: str) -> dict[str, Any]:
    """Download the results and merge them in input order; returns the counts."""
    outcome = pipeline.collect(manifest, output)
    get_run_logger().info("%(ok)d ok, %(failed)d failed, %(missing)d missing of %(total)d", outcome)
    return outcome


@task(retries=3, retry_delay_seconds=[10, 60, 300], timeout_seconds=HOUR)
def retry(manifest: str) -> dict[str, Any]:
    """Queue the failed and missing lines as a new round of batches."""
    return pipeline.retry(manifest)


@flow(name="batchyard-batch-job", timeout_seconds=4 * 26 * HOUR)
def batch_job(
    inputs: list[str],
    output: str,
    base_url: str,
    manifest: str | None = None,
    max_requests: int = 50_000,
    max_rounds: int = 2,
    poll_interval: float = 30.0,
) -> dict[str, Any]:
    """Run the job to the end: results in `output`, one line per input request, in order."""
    manifest = prepare(inputs, manifest or f"{output}.batchyard.json", base_url, max_requests)
    outcome: dict[str, Any] = {}
    for round_ in range(max_rounds + 1):
        submit(manifest)
        wait(manifest, poll_interval)
        outcome = collect(manifest, output)
        if outcome["complete"] or round_ == max_rounds:
            break
        if retry(manifest)["lines"] == 0:
            break
    return {**outcome, "rounds": round_}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--output", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--manifest")
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--max-rounds", type=int, default=2)
    parser.add_argument("--poll-interval", type=float, default=30.0)
    args = parser.parse_args()
    result = batch_job(
        args.inputs,
        args.output,
        args.base_url,
        manifest=args.manifest,
        max_requests=args.max_requests,
        max_rounds=args.max_rounds,
        poll_interval=args.poll_interval,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
