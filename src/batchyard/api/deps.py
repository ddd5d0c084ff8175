"""What a route may ask for, read from `app.state` (set by `create_app`), never from globals.

The providers are `async def` so FastAPI calls them inline instead of hopping to
a thread for a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, cast

from fastapi import Depends, Request

from batchyard.backends import Backends
from batchyard.blobs import BlobStore
from batchyard.config import Settings
from batchyard.metrics import Metrics
from batchyard.store import Store


# What `create_app` put on `app.state`, one getter each (FastAPI needs a callable per type).
async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_store(request: Request) -> Store:
    return cast(Store, request.app.state.store)


async def get_blobs(request: Request) -> BlobStore:
    return cast(BlobStore, request.app.state.blobs)


async def get_wake_engine(request: Request) -> Callable[[], None]:
    return cast(Callable[[], None], request.app.state.wake_engine)


async def get_backends(request: Request) -> Backends:
    return cast(Backends, request.app.state.backends)


async def get_metrics(request: Request) -> Metrics:
    return cast(Metrics, request.app.state.metrics)


async def get_project(request: Request) -> str:
    """Whose objects a request sees: the project `AuthMiddleware` found for its key.

    Every route that touches files or batches takes this, and every store read
    filters on it, so another project's ids are simply not found (404).
    """
    project = getattr(request.state, "project", None)
    if not isinstance(project, str):
        raise RuntimeError("no project on the request: AuthMiddleware is not installed")
    return project


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
BlobsDep = Annotated[BlobStore, Depends(get_blobs)]
WakeEngineDep = Annotated[Callable[[], None], Depends(get_wake_engine)]
ProjectDep = Annotated[str, Depends(get_project)]
BackendsDep = Annotated[Backends, Depends(get_backends)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
