"""The engine: validates new batches, runs shards, finalizes, expires, watches running
batches (ETA marks, cost cap, error-rate breaker), delivers webhooks, and sweeps
expired files.

One `Engine` per process. Its loops each claim one kind of work from the store
under a lease, so any number of engines can share a database. Each loop polls,
and a wake-up cuts the wait short: `wake()` from an API in the same process, or
a PostgreSQL notification from any process (a batch was created or cancelled,
shards became claimable, a shard finished). While notifications flow, polling
slows to `listen_poll_seconds`; it remains for leases that simply run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

from batchyard.backends import Backend, Backends, ReportsPacing
from batchyard.blobs import BlobStore
from batchyard.config import Settings
from batchyard.engine.claims import claim_loop, run_claimed
from batchyard.engine.finalizer import OUTPUT_RETENTION_SECONDS, finalize
from batchyard.engine.intake import validate_batch
from batchyard.engine.limiter import FairLimiter
from batchyard.engine.monitor import Monitor
from batchyard.engine.pacer_report import report_pacers
from batchyard.engine.piece_loop import PieceLoop, piece_models
from batchyard.engine.retry import RetryPolicy
from batchyard.engine.runner import ShardRunner
from batchyard.engine.spend import SpendGuards
from batchyard.engine.sweeper import sweep_expired
from batchyard.metrics import Metrics
from batchyard.records import BatchRecord, ShardClaim
from batchyard.store import ClaimOrder, Store
from batchyard.webhooks import Deliverer

log = logging.getLogger("batchyard.engine")


def new_worker_id() -> str:
    """`host:pid:random`: unique per process, and says where a lease holder lived."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def dead_local_workers(owners: set[str]) -> set[str]:
    """The lease holders that ran on this host in a process that no longer exists."""
    host = socket.gethostname()
    dead = set()
    for owner in owners:
        parts = owner.rsplit(":", 2)
        if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
            continue
        try:
            os.kill(int(parts[1]), 0)
        except ProcessLookupError:
            dead.add(owner)
        except PermissionError:
            pass  # alive, under another user
    return dead


class Engine:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        blobs: BlobStore,
        metrics: Metrics | None = None,
        backends: Backends | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.blobs = blobs
        self.worker_id = new_worker_id()
        self.metrics = metrics or Metrics()
        self.monitor = Monitor(settings, store, self.metrics, on_stop=self._stop_batches)
        self.deliverer = Deliverer(store, settings.webhooks, self.metrics, self.worker_id)
        self.policy = RetryPolicy(
            max_attempts=settings.engine.max_attempts,
            base_seconds=settings.engine.retry_base_seconds,
            max_seconds=settings.engine.retry_max_seconds,
        )
        # Shared with the API's synchronous endpoints when the process has both;
        # then whoever built it closes it.
        self.backends = backends or Backends(settings)
        self._owns_backends = backends is None
        self._limiters: dict[str, FairLimiter] = {}
        self._runners: set[ShardRunner] = set()
        self._spend = SpendGuards(settings, store, self.metrics)  # cost caps, at admission
        self.pieces = PieceLoop(settings, store, blobs, self.backends, self.worker_id, self.policy)
        # One event per loop, so that one loop's wait never swallows another's wake-up.
        self._wakes: list[asyncio.Event] = []
        self._stopping = asyncio.Event()
        self._listener = store.listener(self._on_notification)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.lines_done = 0

    # -- control ---------------------------------------------------------------

    def wake(self) -> None:
        """Look for work now. Safe to call from any thread."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake_all)

    def _wake_all(self) -> None:
        for event in self._wakes:
            event.set()

    def _on_notification(self, _event: str) -> None:
        self._wake_all()

    def stop(self) -> None:
        """Begin a clean shutdown: in-flight lines finish and become durable."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stopping.set)

    def unfinished(self) -> tuple[int, int]:
        """(Lines at upstreams now, which a stop lets finish; lines of the running shards
        with no answer yet.) A local model's queued lines do not finish at a stop."""
        runners = list(self._runners)
        return sum(r.in_flight for r in runners), sum(r.unanswered for r in runners)

    async def run(self) -> None:
        """Run every loop until `stop()`; then drain and hand unfinished work back."""
        self._loop = asyncio.get_running_loop()
        holders = await asyncio.to_thread(self.store.lease_holders)
        holders |= await asyncio.to_thread(self.store.webhooks.claimers)
        dead = dead_local_workers(holders)
        await asyncio.to_thread(self.store.expire_leases, dead)
        await asyncio.to_thread(self.store.webhooks.release_claims, dead, time.time())
        loops = [
            asyncio.create_task(self._forever(self._validate_one), name="validate"),
            asyncio.create_task(self._forever(self._finalize_one), name="finalize"),
            asyncio.create_task(self._shards_loop(), name="shards"),
            asyncio.create_task(self._expiry_loop(), name="expiry"),
            asyncio.create_task(self.monitor.run(self._stopping), name="monitor"),
            asyncio.create_task(self.deliverer.run(self._stopping), name="webhooks"),
            asyncio.create_task(self._sweep_loop(), name="sweep"),
            asyncio.create_task(
                self.pieces.run(self._stopping, self._new_wake(), self._sleep), name="pieces"
            ),
            asyncio.create_task(
                report_pacers(
                    self.store, self.backends, self.metrics, self.worker_id, self._stopping
                ),
                name="pacer-report",
            ),
        ]
        listening = (
            asyncio.create_task(self._listener.run(), name="listen") if self._listener else None
        )
        try:
            await self._stopping.wait()
        finally:
            self._stopping.set()
            for runner in list(self._runners):
                runner.stop()
            self._wake_all()
            await asyncio.gather(*loops, return_exceptions=True)
            if listening is not None:
                listening.cancel()
                await asyncio.gather(listening, return_exceptions=True)
            if self._owns_backends:
                await self.backends.aclose()

    # -- loops -----------------------------------------------------------------

    def _new_wake(self) -> asyncio.Event:
        event = asyncio.Event()
        self._wakes.append(event)
        return event

    @property
    def poll_seconds(self) -> float:
        """How long an idle loop waits before it looks again without being woken."""
        engine = self.settings.engine
        if self._listener is not None and self._listener.connected:
            return max(engine.poll_seconds, engine.listen_poll_seconds)
        return engine.poll_seconds

    async def _sleep(self, wake: asyncio.Event) -> None:
        """Wait for a wake-up, the stop signal, or the poll interval.

        The caller clears `wake` before it looks for work, not here: a wake-up
        that arrives while it looks must end this wait at once.
        """
        waiters = [
            asyncio.ensure_future(wake.wait()),
            asyncio.ensure_future(self._stopping.wait()),
        ]
        await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    async def _forever(self, step: Callable[[], Awaitable[bool]]) -> None:
        wake = self._new_wake()
        while not self._stopping.is_set():
            wake.clear()
            try:
                busy = await step()
            except Exception:
                log.exception("engine step %s failed; retrying", step.__name__)
                busy = False
                await asyncio.sleep(1)
            if not busy:
                await self._sleep(wake)

    async def _lease(
        self, claim: Callable[[str, float, float], BatchRecord | None]
    ) -> BatchRecord | None:
        """The next batch `claim` leases to this worker for a lease period, or None."""
        return await asyncio.to_thread(
            claim, self.worker_id, time.time(), self.settings.engine.lease_seconds
        )

    async def _validate_one(self) -> bool:
        batch = await self._lease(self.store.claim_validation)
        if batch is None:
            return False
        await asyncio.to_thread(
            validate_batch,
            self.settings,
            self.store,
            self.blobs,
            batch,
            self.worker_id,
            self._endpoint_models(batch.endpoint),
        )
        self._wake_all()
        return True

    async def _finalize_one(self) -> bool:
        batch = await self._lease(self.store.claim_finalization)
        if batch is None:
            return False
        retention = self.settings.policy(batch.project).output_retention_seconds
        await asyncio.to_thread(
            finalize,
            self.store,
            self.blobs,
            batch,
            self.worker_id,
            self.settings.engine.lease_seconds,
            retention or OUTPUT_RETENTION_SECONDS,
        )
        return True

    async def _expiry_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                expired = await asyncio.to_thread(self.store.expire_due, int(time.time()))
            except Exception:
                log.exception("expiry sweep failed")
                expired = []
            if expired:
                self._stop_batches(set(expired))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=1.0)

    def _stop_batches(self, batch_ids: set[str]) -> None:
        """Let the runners of stopping batches finish in-flight lines and start no more."""
        for runner in list(self._runners):
            if runner.shard.batch_id in batch_ids:
                runner.stop()
        self._wake_all()

    async def _sweep_loop(self) -> None:
        """Delete expired files' bytes and rows every `[engine] sweep_seconds`."""
        while not self._stopping.is_set():
            try:
                await asyncio.to_thread(sweep_expired, self.store, self.blobs, int(time.time()))
            except Exception:
                log.exception("retention sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._stopping.wait(), timeout=self.settings.engine.sweep_seconds
                )

    async def _shards_loop(self) -> None:
        active = self.settings.engine.active_shards
        order = ClaimOrder(self.settings.engine.claim_order)

        def claim(running: Sequence[ShardClaim]) -> ShardClaim | None:
            # Shards of batches the plan gave up on do not hold a slot from those that
            # can still finish, and a full engine still takes a shard of a project that
            # runs none anywhere: a light project's first shard starts now, not when a
            # heavy project's shard ends. Never more than twice `active_shards`; the
            # model's limiter caps the calls and shares them (engine/limiter.py).
            held = sum(not c.given_up for c in running)
            newcomer = held >= active and order is ClaimOrder.FAIR
            if len(running) >= 2 * active or (held >= active and not newcomer):
                return None
            return self.store.claim_shard(
                self.worker_id,
                time.time(),
                self.settings.engine.lease_seconds,
                self._shard_models(),
                self.settings.weights(),
                order=order,
                aging_seconds=self.settings.engine.aging_seconds or None,
                idle_projects_only=newcomer,
            )

        tasks = await claim_loop(
            claim,
            self._run_shard,
            stopping=self._stopping,
            wake=self._new_wake(),
            sleep=self._sleep,
            what="shard",
        )
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _run_shard(self, claim: ShardClaim) -> None:
        spend = await self._spend.acquire(claim)
        runner = ShardRunner(
            claim,
            backend=self._backend(claim.model),
            limiter=self._limiter(claim.model).slot(
                claim.project,
                f"{claim.shard.batch_id}/{claim.shard.index}",
                given_up=claim.given_up,
            ),
            store=self.store,
            blobs=self.blobs,
            settings=self.settings.engine,
            policy=self.policy,
            on_line=self._count_line,
            metrics=self.metrics,
            spend=spend,
        )
        self._runners.add(runner)
        try:
            await run_claimed(runner.run(), claim, "shard")
        finally:
            self._runners.discard(runner)
            self._spend.release(spend)
            self._wake_all()

    def _count_line(self) -> None:
        self.lines_done += 1

    # -- models ----------------------------------------------------------------

    def _shard_models(self) -> list[str]:
        """The models whose shards this loop runs: all but `openai-batch` ones (PieceLoop)."""
        pieces = set(piece_models(self.settings))
        return [m.name for m in self.settings.models if m.name not in pieces]

    def _endpoint_models(self, endpoint: str) -> set[str]:
        return self.backends.models_for(endpoint)

    def _backend(self, model: str) -> Backend:
        return self.backends.get(model)

    def _limiter(self, model: str) -> FairLimiter:
        """At most `max_concurrency` calls at once, shared by project weight between the
        shards running (engine/limiter.py); a backend that paces itself (adaptive
        concurrency over several URLs) gets its own ceiling, and admits within it."""
        if model not in self._limiters:
            config = self.settings.model(model)
            backend = self._backend(model)
            size = config.max_concurrency if config else 1
            if isinstance(backend, ReportsPacing):
                size = backend.max_in_flight
            self._limiters[model] = FairLimiter(size, self.settings.weights())
        return self._limiters[model]
