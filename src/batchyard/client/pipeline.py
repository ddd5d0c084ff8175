"""The toolkit's steps as plain functions, for orchestrators (Prefect, Airflow, cron).

Each step takes and returns JSON-able values (paths as strings, counts in a dict),
so a Prefect task or an Airflow task wraps it unchanged and its return value can
be passed between workers. Every step is safe to run again, whole or after a kill
in the middle: the manifest records each server call before the next (see
`Submitter`), so an orchestrator's retry never creates a batch twice. The API key
comes from OPENAI_API_KEY, as for the CLI.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from batchyard.client.collect import Outcome, download, merge
from batchyard.client.connection import make_client, resolve_base_url
from batchyard.client.errors import ToolkitError
from batchyard.client.index import Index
from batchyard.client.manifest import Manifest, load, lock_job
from batchyard.client.retry import add_round, retryable
from batchyard.client.submit import JobOptions, Submitter, open_job

# A batch's window is 24 h and an expired batch is terminal, so a wait that has
# seen nothing terminal after 25 h is stuck (a server that is down, say).
WAIT_TIMEOUT_S = 25 * 3600


def prepare(
    inputs: list[str],
    manifest: str,
    *,
    base_url: str | None = None,
    endpoint: str | None = None,
    completion_window: str = "24h",
    max_requests: int = 50_000,
    max_bytes: int = 200 * 1024 * 1024,
    max_in_flight: int = 3,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Validate and split the inputs into the job's parts; nothing is sent yet.

    Run again on the same manifest, it checks the inputs are the same files and
    returns the job as it stands.
    """
    manifest_path = Path(manifest)
    with lock_job(manifest_path):
        options = JobOptions(
            base_url=base_url,
            endpoint=endpoint,
            completion_window=completion_window,
            max_requests=max_requests,
            max_bytes=max_bytes,
            max_in_flight=max_in_flight,
            metadata=metadata or {},
        )
        job, _ = open_job([Path(p) for p in inputs], manifest_path, options)
    if not job.parts:
        raise ToolkitError("nothing to submit: the inputs hold no requests")
    return {"manifest": str(manifest_path), "job": job.job, "parts": len(job.parts)}


def submit(manifest: str) -> dict[str, Any]:
    """Start waiting parts while fewer than max_in_flight batches run; returns the states."""
    with _job(manifest) as (job, submitter):
        submitter.advance()
        return _states(job)


def wait(
    manifest: str, *, interval: float = 30.0, timeout: float = WAIT_TIMEOUT_S
) -> dict[str, Any]:
    """Poll until every batch is terminal, starting the rest as slots free up.

    Raises TimeoutError past `timeout`; run again, it carries on where it was.
    """
    deadline = time.monotonic() + timeout
    while True:
        with _job(manifest) as (job, submitter):
            submitter.advance()
            if submitter.all_terminal:
                return _states(job)
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{manifest}: batches still running after {timeout:.0f} s")
        time.sleep(interval)


def collect(manifest: str, output: str, fmt: str | None = None) -> dict[str, Any]:
    """Download what finished and merge every request's best line, in input order."""
    with _job(manifest) as (job, submitter), Index(job.index_path) as index:
        submitter.refresh()
        download(job, submitter.client, index)
        return _outcome(merge(job, index, Path(output), fmt))


def retry(manifest: str, codes: list[str] | None = None, missing: bool = True) -> dict[str, Any]:
    """Queue the lines whose last batch ended without a success as new parts (a round).

    `codes` narrows the error codes retried (None: all); missing lines are retried
    unless `missing` is False. Returns how many lines and parts; `submit` sends them.
    """
    with _job(manifest) as (job, submitter), Index(job.index_path) as index:
        submitter.refresh()
        download(job, submitter.client, index)
        wanted = set(codes) if codes is not None else None
        ids = list(retryable(job, index, wanted, missing))
        parts = add_round(job, index, ids)
        return {"lines": len(ids), "parts": len(parts), "round": job.rounds}


@contextmanager
def _job(manifest: str) -> Iterator[tuple[Manifest, Submitter]]:
    """The manifest, loaded and locked, and a Submitter with an SDK client for its server."""
    path = Path(manifest)
    with lock_job(path):
        job = load(path)
        yield job, Submitter(job, make_client(resolve_base_url(None, job)))


def _states(job: Manifest) -> dict[str, Any]:
    return {
        "job": job.job,
        "parts": {p.name: p.status or p.state for p in job.parts},
        "completed": sum(p.completed for p in job.parts),
        "failed": sum(p.failed for p in job.parts),
    }


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {
        "total": outcome.total,
        "ok": outcome.ok,
        "failed": outcome.failed,
        "missing": outcome.missing,
        "pending": outcome.pending,
        "complete": outcome.complete,
        "codes": dict(outcome.codes),
    }
