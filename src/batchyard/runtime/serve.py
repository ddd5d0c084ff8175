"""Processes: the HTTP API and the engine on one event loop, or either alone.

`serve()` is what `batchyard serve` runs (with `worker=False`: the API only);
`work()` is `batchyard worker`, the engine only. On SIGINT/SIGTERM the API stops
accepting requests and the engine drains: in-flight lines finish, journals are
made durable, and unfinished shards are handed back for any worker to take.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn

from batchyard.api.app import create_app, create_worker_app
from batchyard.backends import Backends
from batchyard.blobs import BlobStore, open_blob_store
from batchyard.config import ConfigError, Settings
from batchyard.dashboard import mount_dashboard
from batchyard.engine import Engine
from batchyard.store import Store

log = logging.getLogger("batchyard.server")


@dataclass
class Services:
    """What every process opens: the metadata store, the blob store, the engine, and the
    backends, which the engine and the API's synchronous endpoints share."""

    settings: Settings
    store: Store
    blobs: BlobStore
    engine: Engine
    backends: Backends

    @classmethod
    def open(cls, settings: Settings) -> Services:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = Store.open(settings.resolved_database_url)
        try:
            blobs = open_blob_store(settings.blob_url, settings.blob_dir, settings.s3)
        except BaseException:
            store.close()
            raise
        backends = Backends(settings)
        try:
            backends.build_all()
        except ConfigError:
            store.close()
            raise
        engine = Engine(settings, store, blobs, backends=backends)
        return cls(settings, store, blobs, engine, backends)

    async def aclose(self) -> None:
        """Release the backends (model threads, connections), then the store."""
        try:
            await self.backends.aclose()
        finally:
            self.close()

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


def is_loopback(host: str) -> bool:
    """Whether every address `host` names is on this machine only."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def check_exposure(host: str, keys_exist: bool, insecure_no_auth: bool) -> str | None:
    """Refuse (ConfigError) to serve anyone but this machine without keys; else what to say.

    With no key created, every request is let in as project `default`: fine for one
    person on one machine, not for a network.
    """
    if keys_exist:
        return None
    if is_loopback(host):
        return (
            f"no API keys exist: serving without authentication, to this machine only "
            f"({host}). `batchyard keys create --project NAME` turns authentication on."
        )
    if insecure_no_auth:
        return (
            f"no API keys exist and --insecure-no-auth was given: anyone who can reach "
            f"{host} can read and run every batch."
        )
    raise ConfigError(
        f"refusing to listen on {host} with no API keys: anyone who can reach it could read "
        "and run every batch. Create a key first (`batchyard keys create --project NAME`), "
        "listen on 127.0.0.1, or pass --insecure-no-auth."
    )


async def serve(
    settings: Settings,
    host: str,
    port: int,
    *,
    worker: bool = True,
    insecure_no_auth: bool = False,
    dashboard: bool = True,
) -> None:
    """Serve until SIGINT/SIGTERM, with the dashboard unless `dashboard=False`.

    Raises ConfigError, before listening, when unsafe.
    """
    services = Services.open(settings)
    try:
        notice = check_exposure(host, services.store.keys.any_created(), insecure_no_auth)
    except ConfigError:
        services.close()
        raise
    if notice:
        log.warning(notice)
    app = create_app(
        settings,
        services.store,
        services.blobs,
        wake_engine=services.engine.wake if worker else None,
        metrics=services.engine.metrics,
        backends=services.backends,
    )
    if dashboard:
        mount_dashboard(app)
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
        await services.aclose()
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
        await services.aclose()
        log.info("batchyard worker %s stopped cleanly", services.engine.worker_id)


__all__ = ["Services", "check_exposure", "is_loopback", "running_engine", "serve", "work"]
