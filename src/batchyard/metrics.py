"""Prometheus metrics: what this process counted, and what the database says now.

Counters and histograms (lines, upstream answers and latency, retries, webhook
deliveries) count what this process did, so scrape every process that runs an
engine. Gauges that describe shared state (batches by status, queue depth,
webhook deliveries waiting) are read from the store at scrape time, so every
process reports the same truth. Each app and engine gets its own registry; no
global state, so one process can hold several (tests do).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from batchyard.records import BatchStatus
from batchyard.store import Store
from batchyard.store.scheduling import weight_of

log = logging.getLogger("batchyard.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    """The instruments the engine and the deliverer update, in one registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.lines = Counter(
            "batchyard_lines",
            "Batch lines that reached a final result, by model and outcome (completed|failed).",
            ["model", "outcome"],
            registry=r,
        )
        self.upstream_latency = Histogram(
            "batchyard_upstream_latency_seconds",
            "Time of one call to a model's backend (one request, or one group for local models).",
            ["model"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.upstream_responses = Counter(
            "batchyard_upstream_responses",
            "Answers from a model's backend by HTTP status (0: no answer); 429 is rate limiting.",
            ["model", "status"],
            registry=r,
        )
        self.sync_latency = Histogram(
            "batchyard_sync_latency_seconds",
            "Time to answer one synchronous call (/v1/embeddings, /v1/chat/completions, ...).",
            ["model", "endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sync_responses = Counter(
            "batchyard_sync_responses",
            "Answers to synchronous calls by HTTP status, as sent to the client.",
            ["model", "endpoint", "status"],
            registry=r,
        )
        self.retries = Counter(
            "batchyard_upstream_retries",
            "Lines sent again after a transient answer (429, 5xx, timeout).",
            ["model"],
            registry=r,
        )
        self.pacer_limit = Gauge(
            "batchyard_pacer_limit",
            "A pacing limit in force for a model (limit: concurrency|rpm|tpm|...).",
            ["model", "limit"],
            registry=r,
        )
        self.webhook_attempts = Counter(
            "batchyard_webhook_deliveries",
            "Webhook delivery attempts by outcome (delivered|retrying|abandoned).",
            ["outcome"],
            registry=r,
        )
        self.batches_stopped = Counter(
            "batchyard_batches_stopped",
            "Batches stopped early by batchyard, by reason (cost_cap|error_rate).",
            ["reason"],
            registry=r,
        )
        self._store: Store | None = None

    def set_pacer_limit(self, model: str, limit: str, value: float) -> None:
        """The hook for pacing: publish a limit in force (e.g. "rpm", "concurrency")."""
        self.pacer_limit.labels(model=model, limit=limit).set(value)

    def attach_store(
        self,
        store: Store,
        weights: Mapping[str, int] | None = None,
        piece_limits: Mapping[str, int | None] | None = None,
    ) -> None:
        """Report the store's shared gauges too (once per registry). `piece_limits`: each
        `openai-batch` model's configured `enqueued_tokens`."""
        if self._store is None:
            self._store = store
            self.registry.register(StoreCollector(store, weights, piece_limits))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class StoreCollector(Collector):
    """Gauges read from the database at each scrape."""

    def __init__(
        self,
        store: Store,
        weights: Mapping[str, int] | None = None,
        piece_limits: Mapping[str, int | None] | None = None,
    ) -> None:
        self.store = store
        self.weights = weights
        self.piece_limits = piece_limits or {}

    def collect(self) -> Iterator[Metric]:
        try:
            by_status = self.store.monitor.batches_by_status()
            queued = self.store.monitor.queued_lines()
            pending = self.store.webhooks.pending_deliveries()
            running = self.store.monitor.running_shards()
            at_risk = self.store.plans.at_risk()
            pieces, enqueued = self.store.pieces.gauges()
            learned = self.store.pieces.learned_limits()
        except Exception:
            log.exception("reading metrics from the store failed")
            return
        batches = GaugeMetricFamily(
            "batchyard_batches", "Batches by status, all projects.", labels=["status"]
        )
        for status in BatchStatus:
            batches.add_metric([status.value], by_status.get(status.value, 0))
        yield batches
        queue = GaugeMetricFamily(
            "batchyard_queue_lines",
            "Lines of running batches that have no result yet, by model.",
            labels=["model"],
        )
        for model, lines in sorted(queued.items()):
            queue.add_metric([model], lines)
        yield queue
        yield from share_gauges(running, self.weights)
        risky = GaugeMetricFamily(
            "batchyard_batches_at_risk",
            "Running batches the monitor's plan ends after their window, by model.",
            labels=["model"],
        )
        for model, n in sorted(at_risk.items()):
            risky.add_metric([model], n)
        yield risky
        yield from piece_gauges(pieces, enqueued, self.piece_limits, learned)
        yield GaugeMetricFamily(
            "batchyard_webhook_deliveries_pending",
            "Webhook deliveries waiting to be sent or retried.",
            value=pending,
        )


def share_gauges(
    running: dict[tuple[str, str], int], weights: Mapping[str, int] | None
) -> Iterator[Metric]:
    """Each project's share of a model's running shards, and what its weight entitles it to.

    The entitlement is among the projects running on that model now, as the claim shares.
    """
    used = GaugeMetricFamily(
        "batchyard_project_share",
        "Share of a model's running shards held by a project (used), and its weighted "
        "entitlement among the projects running there (entitled).",
        labels=["model", "project", "kind"],
    )
    shards = GaugeMetricFamily(
        "batchyard_project_running_shards",
        "Shards running under a live lease, by model and project.",
        labels=["model", "project"],
    )
    for model in sorted({m for m, _ in running}):
        here = {p: n for (m, p), n in running.items() if m == model}
        total = sum(here.values())
        weight = {p: weight_of(weights or {}, p) for p in here}
        for project, n in sorted(here.items()):
            shards.add_metric([model, project], n)
            used.add_metric([model, project, "used"], n / total)
            used.add_metric([model, project, "entitled"], weight[project] / sum(weight.values()))
    yield shards
    yield used


def piece_gauges(
    pieces: dict[tuple[str, str], int],
    enqueued: dict[str, int],
    configured: Mapping[str, int | None],
    learned: dict[str, int],
) -> Iterator[Metric]:
    """The `openai-batch` models' provider batches (docs/provider-batch.md#metrics)."""
    count = GaugeMetricFamily(
        "batchyard_pieces",
        "Provider batches (pieces) of openai-batch models, by model and row status.",
        labels=["model", "status"],
    )
    for (model, status), n in sorted(pieces.items()):
        count.add_metric([model, status], n)
    yield count
    tokens = GaugeMetricFamily(
        "batchyard_piece_enqueued_tokens",
        "Estimated tokens of the pieces not yet finished upstream, by model.",
        labels=["model"],
    )
    for model in sorted(set(enqueued) | {m for m, v in configured.items() if v}):
        tokens.add_metric([model], enqueued.get(model, 0))
    yield tokens
    limit = GaugeMetricFamily(
        "batchyard_piece_enqueued_token_limit",
        "The enqueued-token limit of an openai-batch model: configured, and learned from "
        "the upstream's token_limit_exceeded (the lower one is in force).",
        labels=["model", "kind"],
    )
    for model, value in sorted(configured.items()):
        if value is not None:
            limit.add_metric([model, "configured"], value)
    for model, value in sorted(learned.items()):
        limit.add_metric([model, "learned"], value)
    yield limit
