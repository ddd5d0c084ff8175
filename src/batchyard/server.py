"""Processes: the HTTP API and the engine on one event loop, or either alone.

`serve()` is what `batchyard serve` runs (with `worker=False`: the API only);
`work()` is `batchyard worker`, the engine only. On SIGINT/SIGTERM the API stops
accepting requests and the engine drains: in-flight lines finish, journals are
made durable, and unfinished shards are handed back for any worker to take.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn

from batchyard.api.app import create_app, create_worker_app
from batchyard.blobs import BlobStore, open_blob_store
from batchyard.config import Settings
from batchyard.engine import Engine
from batchyard.store import Store

log = logging.getLogger("batchyard.server")


@dataclass
class Services:
    """What every process opens: the metadata store, the blob store, and the engine."""

    settings: Settings
    store: Store
    blobs: BlobStore
    engine: Engine

    @classmethod
    def open(cls, settings: Settings) -> Services:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = Store.open(settings.resolved_database_url)
        try:
            blobs = open_blob_store(settings.blob_url, settings.blob_dir, settings.s3)
        except BaseException:
            store.close()
            raise
        return cls(settings, store, blobs, Engine(settings, store, blobs))

    def close(self) -> None:
        self.store.close()


@asynccontextmanager
async def running_engine(engine: Engine) -> AsyncIterator[asyncio.Task[None]]:
    """Run the engine in the background for the duration of the block, then drain it."""
    task = asyncio.create_task(engine.run())
    try:
        yield task
    finally:
        engine.stop()
        await task


class _Server(uvicorn.Server):
    """Uvicorn without its signal handling: uvicorn re-raises SIGTERM once it has
    stopped, which would kill the process before the engine drains."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(settings: Settings, host: str, port: int, *, worker: bool = True) -> None:
    services = Services.open(settings)
    app = create_app(
        settings,
        services.store,
        services.blobs,
        wake_engine=services.engine.wake if worker else None,
        metrics=services.engine.metrics,
    )
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = _Server(config)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: setattr(server, "should_exit", True))
    try:
        if worker:
            async with running_engine(services.engine):
                await server.serve()
        else:
            await server.serve()
    finally:
        services.close()
        log.info("batchyard stopped cleanly")


async def work(
    settings: Settings, *, metrics_host: str = "127.0.0.1", metrics_port: int = 0
) -> None:
    """The engine alone, until SIGINT or SIGTERM; then it drains and exits.

    With a `metrics_port`, it also serves `/health` and `/metrics` there.
    """
    services = Services.open(settings)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, services.engine.stop)
    probe: _Server | None = None
    serving: asyncio.Task[None] | None = None
    if metrics_port:
        app = create_worker_app(services.store, services.engine.metrics)
        probe = _Server(
            uvicorn.Config(
                app, host=metrics_host, port=metrics_port, log_level="warning", access_log=False
            )
        )
        serving = asyncio.create_task(probe.serve())
    log.info("batchyard worker %s started", services.engine.worker_id)
    try:
        await services.engine.run()
    finally:
        if probe is not None and serving is not None:
            probe.should_exit = True
            await serving
        services.close()
        log.info("batchyard worker %s stopped cleanly", services.engine.worker_id)
