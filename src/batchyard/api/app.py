"""`create_app`: the FastAPI application, built from what it is handed, with no globals.

One process may build several apps (tests build one per store), so everything
an app needs lives on its own `app.state` and is reached through `api/deps.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from starlette.responses import Response

from batchyard import __version__
from batchyard.api.auth import AuthMiddleware
from batchyard.api.errors import install_error_handlers
from batchyard.api.middleware import RequestMiddleware
from batchyard.api.responses import install_response_schemas
from batchyard.api.routes import api_router
from batchyard.api.routes import metrics as metrics_route
from batchyard.api.schemas import OrjsonResponse
from batchyard.backends import Backends
from batchyard.backends.batchapi import configured_limits
from batchyard.blobs import BlobStore
from batchyard.config import Settings
from batchyard.metrics import Metrics
from batchyard.store import Store


def create_app(
    settings: Settings,
    store: Store,
    blobs: BlobStore,
    *,
    wake_engine: Callable[[], None] | None = None,
    metrics: Metrics | None = None,
    backends: Backends | None = None,
) -> FastAPI:
    """Build the API.

    `wake_engine` is called on the event loop after a batch is created or a cancel
    is asked, so an in-process engine can act at once instead of at its next poll;
    it must return quickly and not block. `metrics` is the in-process engine's, so
    that `/metrics` shows what it counted; without one, only the store's gauges.
    `backends` are the in-process engine's, so that synchronous calls share its
    batchers and pacers; without them (an API-only process) the app builds its
    own, each on first use.
    """
    app = FastAPI(title="batchyard", version=__version__, default_response_class=OrjsonResponse)
    app.state.settings = settings
    app.state.store = store
    app.state.blobs = blobs
    app.state.wake_engine = wake_engine or _nothing
    app.state.metrics = metrics or Metrics()
    app.state.backends = backends or Backends(settings)
    app.state.metrics.attach_store(store, settings.weights(), configured_limits(settings))
    install_error_handlers(app)
    # The last added runs first: request id and access log, then the key check.
    app.add_middleware(AuthMiddleware, store=store)
    app.add_middleware(RequestMiddleware)
    app.include_router(api_router, prefix="/v1")
    app.include_router(metrics_route.router)
    app.add_api_route("/health", _health, methods=["GET"], include_in_schema=False)
    install_response_schemas(app)
    return app


def create_worker_app(store: Store, metrics: Metrics) -> FastAPI:
    """What `batchyard worker --metrics-port` serves: `/health` and `/metrics`, no `/v1`.

    A worker has no API, but its engine counts lines, retries and latencies that
    only it knows; this lets Prometheus scrape it and an orchestrator probe it.
    """
    app = FastAPI(title="batchyard worker", version=__version__, docs_url=None, redoc_url=None)
    app.state.metrics = metrics
    metrics.attach_store(store)
    app.include_router(metrics_route.router)
    app.add_api_route("/health", _health, methods=["GET"], include_in_schema=False)
    return app


async def _health() -> Response:
    return OrjsonResponse({"status": "ok"})


def _nothing() -> None:
    """The engine hook when no in-process engine listens."""
