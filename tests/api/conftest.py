"""A live batchyard API under uvicorn on a loopback port, once per test and store.

Every test runs on SQLite, and on PostgreSQL too when `BATCHYARD_TEST_POSTGRES_URL`
names a server (for example `postgresql://postgres@127.0.0.1:5432/test`), each time
in a fresh schema. Upload caps are set small so the size limits can be hit cheaply.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from openai import AsyncOpenAI, OpenAI
from tests.threaded_server import serving

from batchyard.api import create_app
from batchyard.blobs import LocalBlobStore
from batchyard.config import Limits, Settings, WebhookSettings
from batchyard.store import Store

from .support import MAX_BATCH_FILE_BYTES, MAX_UPLOAD_BYTES, LiveServer


@pytest.fixture
def server(store: Store, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """`@pytest.mark.webhook_networks("127.0.0.0/8")` lets webhooks reach those networks."""
    networks = request.node.get_closest_marker("webhook_networks")
    settings = Settings(
        data_dir=tmp_path,
        limits=Limits(max_upload_bytes=MAX_UPLOAD_BYTES, max_batch_file_bytes=MAX_BATCH_FILE_BYTES),
        webhooks=WebhookSettings(allowed_networks=list(networks.args) if networks else []),
    )
    blobs = LocalBlobStore(settings.blob_dir)
    live = LiveServer("", settings, store, blobs)
    app = create_app(settings, store, blobs, wake_engine=lambda: live.wakes.append(time.time()))
    with serving(app) as url:
        live.url = url
        _wait_healthy(live.url)
        yield live


def _wait_healthy(url: str) -> None:
    # urllib, not httpx: a new httpx client loads a TLS context, ~40 ms per test.
    with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
        assert json.load(response) == {"status": "ok"}


@pytest.fixture
def client(server: LiveServer) -> Iterator[OpenAI]:
    """The official SDK in strict mode: every response must match its types exactly."""
    with OpenAI(
        base_url=server.base_url, api_key="test", max_retries=0, _strict_response_validation=True
    ) as sdk:
        yield sdk


@pytest.fixture
async def aclient(server: LiveServer) -> AsyncIterator[AsyncOpenAI]:
    async with AsyncOpenAI(
        base_url=server.base_url, api_key="test", max_retries=0, _strict_response_validation=True
    ) as sdk:
        yield sdk


@pytest.fixture
def raw(server: LiveServer) -> Iterator[httpx.Client]:
    """Plain HTTP, for what the SDK would never send."""
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http
