"""What a route may ask for, read from `app.state` (set by `create_app`), never from globals.

The providers are `async def` so FastAPI calls them inline instead of hopping to
a thread for a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from batchyard.blobs import BlobStore
from batchyard.config import Settings
from batchyard.store import Store

DEFAULT_PROJECT = "default"


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_blobs(request: Request) -> BlobStore:
    blobs: BlobStore = request.app.state.blobs
    return blobs


async def get_wake_engine(request: Request) -> Callable[[], None]:
    wake: Callable[[], None] = request.app.state.wake_engine
    return wake


async def get_project() -> str:
    """The one place that decides whose objects a request sees.

    Every request belongs to the default project until API keys arrive; any
    `Authorization` header is accepted meanwhile.
    """
    return DEFAULT_PROJECT


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
BlobsDep = Annotated[BlobStore, Depends(get_blobs)]
WakeEngineDep = Annotated[Callable[[], None], Depends(get_wake_engine)]
ProjectDep = Annotated[str, Depends(get_project)]
