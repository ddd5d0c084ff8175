"""The engine's loop for `openai-batch` models: claims their shards, runs each as pieces.

Their shards are kept out of the shard loop: a piece waits upstream for minutes
or hours, so holding one must not take a slot of `[engine] active_shards`. Each
such model has at most `max_concurrency` shards in flight in this process, claimed
in the engine's claim order (fair share and aging, docs/scheduling.md).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence

from batchyard.backends import Backends
from batchyard.backends.base import parse_options
from batchyard.backends.batchapi import BatchAPIOptions, OpenAIBatchBackend
from batchyard.blobs import BlobStore
from batchyard.config import ConfigError, Settings
from batchyard.engine.claims import claim_loop, run_claimed
from batchyard.engine.fallback import Fallback
from batchyard.engine.pieces import PieceRunner
from batchyard.engine.retry import RetryPolicy
from batchyard.records import LineSpan, ShardClaim
from batchyard.store import ClaimOrder, Store

log = logging.getLogger("batchyard.engine")

BACKEND = "openai-batch"


def piece_models(settings: Settings) -> list[str]:
    return [m.name for m in settings.models if m.backend == BACKEND]


def piece_spans(settings: Settings, model: str, spans: list[LineSpan]) -> list[LineSpan]:
    """An openai-batch model's shards as large as one provider batch may be: neighbouring
    spans are joined while the lines and bytes fit `max_lines_per_batch` and
    `max_bytes_per_batch`. Other models' spans are left as they are."""
    config = settings.model(model)
    if config is None or config.backend != BACKEND:
        return spans
    options = parse_options(BatchAPIOptions, config)
    joined: list[LineSpan] = []
    for span in spans:
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.requests + span.requests <= options.max_lines_per_batch
            and span.end - last.start <= options.max_bytes_per_batch
        ):
            joined[-1] = LineSpan(
                last.first_line, span.last_line, last.start, span.end, last.requests + span.requests
            )
        else:
            joined.append(span)
    return joined


class PieceLoop:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        blobs: BlobStore,
        backends: Backends,
        worker_id: str,
        policy: RetryPolicy,
    ) -> None:
        self.settings, self.store, self.blobs = settings, store, blobs
        self.backends, self.worker_id, self.policy = backends, worker_id, policy
        self.runners: set[PieceRunner] = set()
        self._running: dict[str, int] = {}  # shards in flight per model, taken in claim()
        self._count = threading.Lock()  # claim() runs in a thread, the release in the loop
        for name in piece_models(settings):
            fallback = self._options(name).fallback
            target = settings.model(fallback) if fallback else None
            if fallback and (target is None or target.backend == BACKEND):
                raise ConfigError(
                    f"model {name!r}: fallback {fallback!r} must name a synchronous model "
                    "of this configuration"
                )

    def _options(self, model: str) -> BatchAPIOptions:
        config = self.settings.model(model)
        assert config is not None
        return parse_options(BatchAPIOptions, config)

    async def run(
        self,
        stopping: asyncio.Event,
        wake: asyncio.Event,
        sleep: Callable[[asyncio.Event], Awaitable[None]],
    ) -> None:
        if not piece_models(self.settings):
            return
        tasks = await claim_loop(
            self._claim, self._run, stopping=stopping, wake=wake, sleep=sleep, what="piece shard"
        )
        for runner in list(self.runners):
            runner.halt()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _claim(self, _running: Sequence[ShardClaim]) -> ShardClaim | None:
        """A shard of the first model with room under its `max_concurrency`, in the engine's
        claim order (fair share, aging) as the shard loop claims."""
        engine = self.settings.engine
        for model in piece_models(self.settings):
            config = self.settings.model(model)
            cap = config.max_concurrency if config else 1
            with self._count:
                if self._running.get(model, 0) >= cap:
                    continue
            claim = self.store.claim_shard(
                self.worker_id,
                time.time(),
                engine.lease_seconds,
                [model],
                self.settings.weights(),
                order=ClaimOrder(engine.claim_order),
                aging_seconds=engine.aging_seconds or None,
            )
            if claim is not None:
                with self._count:
                    self._running[model] = self._running.get(model, 0) + 1
                return claim
        return None

    async def _run(self, claim: ShardClaim) -> None:
        backend = self.backends.get(claim.model)
        assert isinstance(backend, OpenAIBatchBackend)
        runner = PieceRunner(
            claim,
            backend=backend,
            store=self.store,
            blobs=self.blobs,
            settings=self.settings.engine,
            max_attempts=self.settings.engine.max_attempts,
            fallback=self._fallback(claim, backend.options),
        )
        self.runners.add(runner)
        try:
            await run_claimed(runner.run(), claim, "piece shard")
        finally:
            self.runners.discard(runner)
            with self._count:
                self._running[claim.model] -= 1

    def _fallback(self, claim: ShardClaim, options: BatchAPIOptions) -> Fallback | None:
        if options.fallback is None:
            return None
        config = self.settings.model(options.fallback)
        assert config is not None
        return Fallback(
            options.fallback,
            self.backends.get(options.fallback),
            self.policy,
            config.max_concurrency,
            claim.expires_at,
        )
