"""The engine's loop for `openai-batch` models: claims their shards, runs each as pieces.

Their shards are kept out of the shard loop: a piece waits upstream for minutes
or hours, so holding one must not take a slot of `[engine] active_shards`. Each
such model has at most `max_concurrency` shards in flight in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from batchyard.backends import Backends
from batchyard.backends.base import parse_options
from batchyard.backends.batchapi import BatchAPIOptions, OpenAIBatchBackend
from batchyard.blobs import BlobStore
from batchyard.config import Settings
from batchyard.engine.pieces import PieceRunner
from batchyard.records import LineSpan, ShardClaim
from batchyard.store import Store

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
    ) -> None:
        self.settings, self.store, self.blobs = settings, store, blobs
        self.backends, self.worker_id = backends, worker_id
        self.runners: set[PieceRunner] = set()
        self._running: dict[str, int] = {}

    async def run(self, stopping: asyncio.Event) -> None:
        models = piece_models(self.settings)
        tasks: set[asyncio.Task[None]] = set()
        while models and not stopping.is_set():
            claimed = False
            for model in models:
                config = self.settings.model(model)
                cap = config.max_concurrency if config else 1
                if self._running.get(model, 0) >= cap:
                    continue
                try:
                    claim = await asyncio.to_thread(
                        self.store.claim_shard,
                        self.worker_id,
                        time.time(),
                        self.settings.engine.lease_seconds,
                        [model],
                        self.settings.weights(),
                    )
                except Exception:
                    log.exception("claiming a piece shard failed")
                    claim = None
                if claim is not None:
                    claimed = True
                    task = asyncio.create_task(self._run(claim))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            if not claimed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), self.settings.engine.poll_seconds)
        for runner in list(self.runners):
            runner.halt()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

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
        )
        self.runners.add(runner)
        self._running[claim.model] = self._running.get(claim.model, 0) + 1
        try:
            await runner.run()
        except Exception:
            log.exception(
                "piece shard %s/%d failed; its lease will lapse and it will be retried",
                claim.shard.batch_id,
                claim.shard.index,
            )
        finally:
            self.runners.discard(runner)
            self._running[claim.model] -= 1
