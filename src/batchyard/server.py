"""One process: the HTTP API and the engine on one event loop.

`serve()` is what `batchyard serve` runs. Uvicorn owns SIGINT/SIGTERM; when it
stops accepting requests, the engine drains: in-flight lines finish, journals
are fsynced, and unfinished shards are handed back for the next start.
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

from batchyard.api.app import create_app
from batchyard.blobs import LocalBlobStore
from batchyard.config import Settings
from batchyard.engine import Engine
from batchyard.store import Store

log = logging.getLogger("batchyard.server")


@dataclass
class Services:
    """What every process opens: the metadata store, the blob store, and the engine."""

    settings: Settings
    store: Store
    blobs: LocalBlobStore
    engine: Engine

    @classmethod
    def open(cls, settings: Settings) -> Services:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = Store.open(settings.resolved_database_url)
        blobs = LocalBlobStore(settings.blob_dir)
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
        wake_engine=services.engine.wake,
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
