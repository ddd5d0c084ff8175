"""The `openai-batch` backend: a model whose lines go to an upstream's own Batch API.

The backend itself only speaks to the upstream (Files + Batches: upload, create,
retrieve, cancel, list, download) and holds the options; the engine's piece
runner (engine/pieces.py) decides what to send when and journals what comes
back, so that every piece is recorded in the store before it is created.
Synchronous calls are refused: this model answers only in batches.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx

from batchyard.backends.base import Request, Result, parse_options
from batchyard.config import MB, ConfigError, ModelConfig, Settings
from batchyard.endpoints import BATCH_ENDPOINTS
from batchyard.errors import BadRequest

TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


@dataclass(frozen=True, slots=True)
class BatchAPIOptions:
    """`[[models]]` options of the `openai-batch` backend (docs/provider-batch.md)."""

    base_url: str = "https://api.openai.com/v1"
    api_key_env: str | None = None
    max_lines_per_batch: int = 50_000
    max_bytes_per_batch: int = 200 * MB
    enqueued_tokens: int | None = None
    poll_seconds: float = 30.0
    completion_window: str = "24h"
    fallback: str | None = None
    fallback_seconds: float = 3600.0  # the deadline is near: this much of the window is left
    relearn_seconds: float = 3600.0  # a learned enqueued limit this old is tried above again
    timeout_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.max_lines_per_batch < 1 or self.max_bytes_per_batch < 1024:
            raise ValueError("max_lines_per_batch must be >= 1, max_bytes_per_batch >= 1024")
        if self.enqueued_tokens is not None and self.enqueued_tokens < 1:
            raise ValueError("enqueued_tokens must be a positive integer")
        if self.poll_seconds <= 0:
            raise ValueError("poll_seconds must be positive")
        if self.fallback_seconds < 0 or self.relearn_seconds < 0:
            raise ValueError("fallback_seconds and relearn_seconds must be 0 or more")


def configured_limits(settings: Settings) -> dict[str, int | None]:
    """Each `openai-batch` model's configured `enqueued_tokens` (for /metrics)."""
    return {
        m.name: parse_options(BatchAPIOptions, m).enqueued_tokens
        for m in settings.models
        if m.backend == "openai-batch"
    }


class UpstreamError(Exception):
    """The upstream answered a Files/Batches call with an error (or not at all)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(f"upstream {status_code}: {message}")
        self.status_code = status_code


class OpenAIBatchBackend:
    """Holds the upstream client of one `openai-batch` model."""

    endpoints: ClassVar[frozenset[str]] = BATCH_ENDPOINTS
    max_group = 1

    def __init__(self, model: ModelConfig) -> None:
        self.name = model.name
        self.options = parse_options(BatchAPIOptions, model)
        headers = {}
        if self.options.api_key_env:
            key = os.environ.get(self.options.api_key_env)
            if not key:
                raise ConfigError(
                    f"model {model.name!r}: environment variable "
                    f"{self.options.api_key_env} is not set"
                )
            headers["Authorization"] = f"Bearer {key}"
        self._http = httpx.AsyncClient(
            base_url=self.options.base_url.rstrip("/"),
            headers=headers,
            timeout=self.options.timeout_seconds,
        )

    async def run(self, requests: Sequence[Request]) -> list[Result]:
        """Synchronous calls are not this model's business: it runs only in batches."""
        error = BadRequest(
            f"Model '{self.name}' runs only on its provider's Batch API; "
            "submit it in a batch (POST /v1/batches)."
        )
        return [Result.rejected(error) for _ in requests]

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the upstream's Files and Batches ---------------------------------------

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise UpstreamError(0, type(exc).__name__) from None
        if response.status_code >= 400:
            try:
                message = str(response.json()["error"]["message"])[:200]
            except Exception:
                message = response.reason_phrase
            raise UpstreamError(response.status_code, message)
        body: dict[str, Any] = response.json()
        return body

    async def upload(self, filename: str, path: Path) -> str:
        with path.open("rb") as fh:
            files = {"file": (filename, fh, "application/jsonl")}
            body = await self._call("POST", "/files", data={"purpose": "batch"}, files=files)
        return str(body["id"])

    async def find_file(self, filename: str) -> str | None:
        """The upstream file of that name (newest first), if an upload got there."""
        after: str | None = None
        while True:
            params: dict[str, Any] = {"purpose": "batch", "order": "desc", "limit": 10_000}
            if after:
                params["after"] = after
            page = await self._call("GET", "/files", params=params)
            for item in page["data"]:
                if item.get("filename") == filename:
                    return str(item["id"])
            if not page.get("has_more") or not page["data"]:
                return None
            after = page["data"][-1]["id"]

    async def create(self, file_id: str, endpoint: str, metadata: dict[str, str]) -> dict[str, Any]:
        body = {
            "input_file_id": file_id,
            "endpoint": endpoint,
            "completion_window": self.options.completion_window,
            "metadata": metadata,
        }
        return await self._call("POST", "/batches", json=body)

    async def list_batches(self) -> AsyncIterator[dict[str, Any]]:
        """Every upstream batch, newest first."""
        after: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 100}
            if after:
                params["after"] = after
            page = await self._call("GET", "/batches", params=params)
            for item in page["data"]:
                yield item
            if not page.get("has_more") or not page["data"]:
                return
            after = page["data"][-1]["id"]

    async def find_batch(self, metadata: dict[str, str]) -> dict[str, Any] | None:
        """The upstream batch whose metadata holds all of `metadata`, if a create got there."""
        async for item in self.list_batches():
            own = item.get("metadata") or {}
            if all(own.get(k) == v for k, v in metadata.items()):
                return item
        return None

    async def retrieve(self, batch_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/batches/{batch_id}")

    async def cancel(self, batch_id: str) -> dict[str, Any]:
        return await self._call("POST", f"/batches/{batch_id}/cancel")

    async def lines(self, file_id: str) -> AsyncIterator[bytes]:
        """A result file's lines, streamed."""
        async with self._http.stream("GET", f"/files/{file_id}/content") as response:
            if response.status_code >= 400:
                raise UpstreamError(response.status_code, "file content")
            buffer = b""
            async for chunk in response.aiter_bytes():
                buffer += chunk
                *whole, buffer = buffer.split(b"\n")
                for line in whole:
                    if line.strip():
                        yield line
            if buffer.strip():
                yield buffer
