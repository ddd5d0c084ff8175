"""Runs one claimed shard: its lines through the model's backend, into its journal.

The runner reads the shard's byte range of the input file, skips lines the
journal already holds (a previous owner finished them), sends the rest in groups
of `backend.max_group` under the model's concurrency limit, retries transient
answers, and appends each final answer to the journal (a local model's one by one, as
its passes end; at a stop, its not yet computed lines are dropped, to run again on
resume). A checkpoint task fsyncs
the journal and records progress plus a fresh lease about twice a second; it
learns there whether the batch is stopping or the shard was taken over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from batchyard.backends import Backend, ReportsPacing, Result, RunsHere
from batchyard.blobs import BlobStore
from batchyard.config import EngineSettings
from batchyard.engine.lines import Line, pending_requests, result_line, usage_of
from batchyard.engine.retry import RetryPolicy
from batchyard.engine.session import ShardSession
from batchyard.engine.spend import SpendGuard
from batchyard.metrics import Metrics
from batchyard.records import ShardClaim, Usage
from batchyard.store import ShardVerdict, Store

log = logging.getLogger("batchyard.engine")


class ShardRunner:
    """One shard, start to finish (or to a stop, or to a lost lease)."""

    def __init__(
        self,
        claim: ShardClaim,
        *,
        backend: Backend,
        limiter: contextlib.AbstractAsyncContextManager[None],
        store: Store,
        blobs: BlobStore,
        settings: EngineSettings,
        policy: RetryPolicy,
        on_line: Callable[[], None] | None = None,
        metrics: Metrics | None = None,
        spend: SpendGuard | None = None,
    ) -> None:
        self.claim = claim
        self.shard = claim.shard
        self.backend = backend
        self.limiter = limiter
        self.store = store
        self.blobs = blobs
        self.settings = settings
        self.policy = policy
        self.on_line = on_line
        self.metrics = metrics
        self.spend = spend  # the batch's cost cap, checked before each call (spend.py)
        self.session = ShardSession(claim, store, blobs, settings)
        self.stopping = False  # finish in-flight lines, start no new ones
        self._opened = False
        self._remaining = 0
        self.in_flight = 0  # lines at an upstream: a stop lets them finish
        self._pacing = backend if isinstance(backend, ReportsPacing) else None
        self._here = backend if isinstance(backend, RunsHere) else None
        self._stopped = asyncio.Event()

    @property
    def lost(self) -> bool:
        """Another worker owns the shard: write nothing more."""
        return self.session.lost

    def stop(self) -> None:
        self.stopping = True
        self._stopped.set()

    async def run(self) -> None:
        done = await self.session.open()
        self._opened = True
        lines = await asyncio.to_thread(
            pending_requests,
            self.blobs,
            self.claim.input_blob_key,
            self.shard,
            self.claim.endpoint,
            done,
        )
        self._remaining = len(lines)
        checkpointer = asyncio.create_task(self._checkpoint_loop())
        try:
            await self._dispatch(lines)
        finally:
            checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checkpointer
            self._opened = False  # a late local result must not write while the journal closes
            await self.session.close(finished=self._remaining == 0)

    async def _dispatch(self, lines: list[Line]) -> None:
        size = max(1, self.backend.max_group)
        tasks = [
            asyncio.create_task(self._run_group(lines[i : i + size]))
            for i in range(0, len(lines), size)
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _run_group(self, group: list[Line]) -> None:
        attempt = 1
        pending = group
        down_since: float | None = None  # since when the upstream refuses connections
        while pending:
            if self.spend is not None:
                await self.spend.wait_turn()
            async with self.limiter:
                if self.stopping or self.lost:
                    return
                admitted = self.spend.admit(len(pending)) if self.spend is not None else True
                if admitted is None:
                    continue  # another group is learning what a line costs
                if not admitted:
                    self.stopping = True
                    assert self.spend is not None
                    await self.spend.stop_batch()
                    return
                started = time.monotonic()
                results: list[Result] | None = []
                journaled: set[int] = set()  # indices in `pending` already journaled
                try:
                    results = await self._call(pending, journaled)
                finally:
                    if self.spend is not None:  # the lines are back (or lost): not in flight
                        billed = [usage_of(r.body) for r in results or [] if r.ok]
                        await self.spend.settle(len(pending), billed)
                if results is None:  # a stop cut a local model's call short
                    return
                self._observe(time.monotonic() - started, results)
            retry: list[Line] = []
            wait = 0.0
            now = time.time()
            unreached = not any(result.reached for result in results)
            down_since = (down_since or now) if unreached else None
            for index, (item, result) in enumerate(zip(pending, results, strict=True)):
                if index in journaled:
                    continue
                delay = self.policy.delay(attempt, result.retry_after)
                if result.retryable and self.policy.should_retry(
                    attempt,
                    now,
                    delay,
                    self.claim.expires_at,
                    status=result.status_code,
                    down_since=down_since,
                ):
                    retry.append(item)
                    wait = max(wait, delay)
                else:
                    self._record(item, result)
            pending = retry
            if pending:
                if self.metrics is not None:
                    self.metrics.retries.labels(self.claim.model).inc(len(pending))
                attempt += 1
                await asyncio.sleep(wait)

    async def _call(self, pending: list[Line], journaled: set[int]) -> list[Result] | None:
        """The backend's results for `pending`, or None where a stop cut the call short.

        A local model's final answers are journaled as they arrive (their indices go
        into `journaled`), and a stop cancels the rest of its call: redoing them on
        resume costs only this machine's compute. An upstream's call always ends.
        """
        requests = [request for _, request in pending]
        if self._here is None:
            self.in_flight += len(pending)
            try:
                return await self.backend.run(requests)
            finally:
                self.in_flight -= len(pending)

        def on_result(index: int, result: Result) -> None:
            if not result.retryable:  # final: the retry policy has nothing to decide
                self._record(pending[index], result)
                journaled.add(index)

        call = asyncio.ensure_future(self._here.run_each(requests, on_result))
        stopped = asyncio.ensure_future(self._stopped.wait())
        try:
            await asyncio.wait({call, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            call.cancel()
            await asyncio.gather(call, stopped, return_exceptions=True)
        return call.result() if not call.cancelled() else None

    @property
    def unanswered(self) -> int:
        """Lines of this shard with no answer journaled yet."""
        return self._remaining

    def _record(self, item: Line, result: Result) -> None:
        if self.lost or not self._opened:
            return
        number, request = item
        usage = usage_of(result.body) if result.ok else Usage()
        self.session.write(number, result.ok, usage, result_line(request.custom_id, result))
        self._remaining -= 1
        if self.on_line is not None:
            self.on_line()
        if self.metrics is not None:
            outcome = "completed" if result.ok else "failed"
            self.metrics.lines.labels(self.claim.model, outcome).inc()

    def _observe(self, seconds: float, results: list[Result]) -> None:
        if self.metrics is None:
            return
        model = self.claim.model
        self.metrics.upstream_latency.labels(model).observe(seconds)
        for result in results:
            self.metrics.upstream_responses.labels(model, str(result.status_code)).inc()
        if self._pacing is not None:
            for limit, value in self._pacing.pacing_limits().items():
                self.metrics.set_pacer_limit(model, limit, value)

    async def _checkpoint_loop(self) -> None:
        """Checkpoint until cancelled. A checkpoint that fails (the database or the bucket
        is away) is retried at the next tick; once a whole lease has passed without one,
        another worker may own the shard, so this one stops writing."""
        last_ok = time.monotonic()
        while True:
            await asyncio.sleep(self.settings.checkpoint_seconds)
            try:
                verdict = await self.session.checkpoint()
            except Exception as exc:
                if time.monotonic() - last_ok < self.settings.lease_seconds:
                    log.warning(
                        "checkpoint of shard %s/%d failed (%s); retrying",
                        self.shard.batch_id,
                        self.shard.index,
                        type(exc).__name__,
                    )
                    continue
                log.warning(
                    "shard %s/%d: no checkpoint for a whole lease; stopping",
                    self.shard.batch_id,
                    self.shard.index,
                )
                self.session.lost = True
                return
            last_ok = time.monotonic()
            if verdict is ShardVerdict.LOST:
                log.warning(
                    "shard %s/%d was taken over; stopping", self.shard.batch_id, self.shard.index
                )
                return
            if verdict is ShardVerdict.STOP:
                self.stop()
