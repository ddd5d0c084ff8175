"""Watches running batches: notes their progress for ETAs, plans which can still finish
in their window (engine/feasibility.py), and stops the ones that hit their cost cap or
trip the error-rate breaker, before they spend more.

It reads counts from the shards' checkpoints, so it sees what every worker has
made durable, about twice a second behind the truth. Any engine may run it; a
stop is one guarded UPDATE, so two monitors never stop a batch twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from batchyard.config import Settings
from batchyard.engine import feasibility
from batchyard.engine.spend import cap_error
from batchyard.metrics import Metrics
from batchyard.pricing import cost_of, parse_cap
from batchyard.records import LineError, RunningBatch, StopReason
from batchyard.store import Store

log = logging.getLogger("batchyard.engine")

Verdict = tuple[StopReason, LineError]


class Monitor:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        metrics: Metrics,
        on_stop: Callable[[set[str]], None],
    ) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.on_stop = on_stop
        self.throughput = feasibility.Throughput(settings.monitor.eta_window_seconds)
        self._at_risk: set[str] = set()  # as of the last plan, to log only the changes

    async def run(self, stopping: asyncio.Event) -> None:
        interval = self.settings.monitor.interval_seconds
        while not stopping.is_set():
            try:
                stopped = await asyncio.to_thread(self.tick, time.time())
            except Exception:
                log.exception("monitoring running batches failed")
                stopped = set()
            if stopped:
                self.on_stop(stopped)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), interval)

    def tick(self, now: float) -> set[str]:
        """One look at every running batch; returns the ids of those it stopped."""
        running = self.store.monitor.running_batches()
        self.store.monitor.record_progress(
            ((b.id, b.completed + b.failed) for b in running),
            now,
            self.settings.monitor.eta_window_seconds,
        )
        self._plan(running, now)
        stopped = set()
        for batch in running:
            verdict = self.verdict(batch)
            if verdict is None:
                continue
            reason, error = verdict
            if self.store.monitor.stop_batch(batch.id, reason, error.to_dict(), int(now)):
                stopped.add(batch.id)
                self.metrics.batches_stopped.labels(reason=reason.value).inc()
                log.info("batch %s stopped early: %s", batch.id, error.code)
        return stopped

    def _plan(self, running: list[RunningBatch], now: float) -> None:
        """Forecast each batch's end in the claim's order; flag those that would be late."""
        ended = self.store.monitor.finished_of(self.throughput.gone(running))
        rates = self.throughput.observe(running, ended, now)
        plans = feasibility.plan(
            running,
            rates,
            self.settings.weights(),
            now,
            margin=self.settings.monitor.plan_margin_seconds,
            at_risk=self._at_risk,
        )
        self.store.plans.record(
            {
                b.id: (p.eta, p.reason, p.urgent) if (p := plans.get(b.id)) else (None, None, False)
                for b in running
            },
            now,
        )
        at_risk = {batch_id for batch_id, p in plans.items() if p.reason is not None}
        for batch in running:
            if (batch.id in at_risk) != (batch.id in self._at_risk):
                planned = plans.get(batch.id)
                log.info(
                    "batch %s (%d lines left) %s: planned end %+.1f s from its window's "
                    "end (%s lines/s)",
                    batch.id,
                    batch.total - batch.completed - batch.failed,
                    "at risk" if batch.id in at_risk else "can finish in time",
                    planned.eta - batch.expires_at if planned else float("nan"),
                    f"{rates[batch.model]:.3g}" if batch.model in rates else "-",
                )
        self._at_risk = at_risk

    def verdict(self, batch: RunningBatch) -> Verdict | None:
        """Why this batch must stop now, if it must: the cost cap first, then the breaker."""
        return self._cost_cap(batch) or self._breaker(batch)

    def _cost_cap(self, batch: RunningBatch) -> Verdict | None:
        try:
            cap = parse_cap(batch.metadata)
        except ValueError:
            return None  # refused at create; an old row is not worth failing over
        price = self.settings.price(batch.model)
        if cap is None or price is None:
            return None
        spent = cost_of(batch.usage, price).batch_usd
        if spent < cap:
            return None
        return StopReason.COST_CAP, cap_error(spent, cap)

    def _breaker(self, batch: RunningBatch) -> Verdict | None:
        lines = self.settings.monitor.breaker_lines
        share = self.settings.monitor.breaker_max_error_share
        if not lines:
            return None
        finished = batch.completed + batch.failed
        # More than `share` of the first `lines` failed: certain as soon as the failures
        # alone pass share x lines; otherwise judged once `lines` have finished.
        if batch.failed <= share * lines and (finished < lines or batch.failed <= share * finished):
            return None
        message = (
            f"The batch was stopped after {batch.failed} of its first {finished} "
            f"requests failed: more than {share:.0%} of the first {lines} "
            "(the error-rate breaker). See the error file for why they failed; the "
            "requests not run are there as batch_failed."
        )
        return StopReason.ERROR_RATE, LineError("error_rate_exceeded", message)
