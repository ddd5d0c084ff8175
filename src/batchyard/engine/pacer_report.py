"""Every few seconds, what this engine's pacers know, written to the store for the dashboard.

A pacer lives in the process that sends (backends/pacing/), and with separate
`batchyard worker` processes the `serve` showing the dashboard is not that
process. So each engine reports: per `openai` model, each base URL's limits and
health (`Pacer.state()`), and the 429s and retries its registry counted (the
numbers its `/metrics` shows). A clean stop deletes the engine's rows; a dead
worker's go stale and the page stops showing them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import asdict
from typing import Any

from batchyard.backends import ReportsPacing
from batchyard.backends.instances import Backends
from batchyard.metrics import Metrics
from batchyard.store import Store

log = logging.getLogger("batchyard.engine")

REPORT_SECONDS = 2.0
STALE_SECONDS = 15.0  # a report older than this is a worker that stopped reporting


def pacer_states(backends: Backends, metrics: Metrics) -> dict[str, dict[str, Any]]:
    """The state of every built backend that paces (the `openai` ones), by model."""
    out: dict[str, dict[str, Any]] = {}
    for name, backend in sorted(backends.built().items()):
        if not isinstance(backend, ReportsPacing):
            continue
        out[name] = {
            "rate_limited": _count(metrics, "batchyard_upstream_responses_total", name, "429"),
            "retries": _count(metrics, "batchyard_upstream_retries_total", name),
            "urls": [asdict(u) for u in backend.pacing_state()],
        }
    return out


def _count(metrics: Metrics, sample: str, model: str, status: str | None = None) -> int:
    labels = {"model": model} if status is None else {"model": model, "status": status}
    return int(metrics.registry.get_sample_value(sample, labels) or 0)


async def report_pacers(
    store: Store, backends: Backends, metrics: Metrics, owner: str, stopping: asyncio.Event
) -> None:
    """Write the report until `stopping`, then take it away."""
    while not stopping.is_set():
        states = pacer_states(backends, metrics)
        if states:
            try:
                await asyncio.to_thread(store.pacer_states.put, owner, states, time.time())
            except Exception:
                log.exception("pacer report failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=REPORT_SECONDS)
    with contextlib.suppress(Exception):
        await asyncio.to_thread(store.pacer_states.drop, owner)
