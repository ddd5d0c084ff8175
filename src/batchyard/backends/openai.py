"""Forward batch lines to any OpenAI-compatible server (OpenAI, vLLM, SGLang, llama.cpp, ...).

A line for endpoint `/v1/chat/completions` is POSTed to
`{base_url}/chat/completions`: `base_url` names the API root *including* its
version prefix (`https://api.openai.com/v1`, `http://127.0.0.1:8001/v1`), and
the endpoint's leading `/v1` is dropped before joining, as the OpenAI SDKs do.

The upstream's answer is passed through untouched; only failures without a
usable answer (timeouts, refused connections, non-JSON bodies) are turned into
OpenAI error envelopes here. Retrying is the engine's job. Bodies and the API
key are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx
import orjson

from batchyard.backends.base import ALL_ENDPOINTS, Request, Result, error_body, parse_options
from batchyard.config import ConfigError, ModelConfig
from batchyard.ids import request_id

log = logging.getLogger(__name__)

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class OpenAIOptions:
    """`[[models]]` options of the `openai` backend."""

    base_url: str = ""
    api_key_env: str | None = None
    timeout_seconds: float = 600.0
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(
                "base_url is required and must start with http:// or https:// "
                "(e.g. 'https://api.openai.com/v1')"
            )
        if self.api_key_env is not None and not _ENV_NAME.match(self.api_key_env):
            # Not echoed: this is where a key pasted by mistake would sit.
            raise ValueError(
                "api_key_env must name an environment variable (e.g. OPENAI_API_KEY), "
                "not hold the key itself"
            )
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")


class OpenAIBackend:
    """One shared HTTP client per model; at most `max_concurrency` requests in flight."""

    endpoints: ClassVar[frozenset[str]] = ALL_ENDPOINTS
    max_group: int = 1

    def __init__(
        self, model: ModelConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        """`transport` lets tests put the client on something other than the network."""
        options = parse_options(OpenAIOptions, model)
        headers = {"Content-Type": "application/json", **options.headers}
        if options.api_key_env is not None:
            key = os.environ.get(options.api_key_env)
            if not key:
                raise ConfigError(
                    f"model {model.name!r}: environment variable {options.api_key_env} "
                    "(api_key_env) is not set"
                )
            headers["Authorization"] = f"Bearer {key}"
        self._name = model.name
        self._base_url = options.base_url.rstrip("/")
        self._slots = asyncio.Semaphore(model.max_concurrency)
        # As many connections as slots, so a request never queues inside the pool
        # (where waiting would count against the timeout and look like an upstream fault).
        self._client = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(options.timeout_seconds),
            limits=httpx.Limits(
                max_connections=model.max_concurrency,
                max_keepalive_connections=model.max_concurrency,
            ),
            transport=transport,
        )

    async def run(self, requests: Sequence[Request]) -> list[Result]:
        if len(requests) == 1:
            return [await self._send(requests[0])]
        return list(await asyncio.gather(*(self._send(request) for request in requests)))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(self, request: Request) -> Result:
        url = self._base_url + request.endpoint.removeprefix("/v1")
        try:
            content = orjson.dumps(request.body)
        except orjson.JSONEncodeError as exc:
            return Result(400, error_body(f"The request body cannot be sent: {exc}."), request_id())
        try:
            async with self._slots:
                response = await self._client.post(url, content=content)
        except httpx.TimeoutException as exc:
            log.warning("%s: %s timed out (%s)", self._name, request.endpoint, type(exc).__name__)
            message = f"The upstream server did not answer in time ({type(exc).__name__})."
            body = error_body(message, type="upstream_error", code="upstream_timeout")
            return Result(0, body, request_id())
        except httpx.HTTPError as exc:
            log.warning("%s: %s unreachable (%s)", self._name, request.endpoint, type(exc).__name__)
            message = f"Could not reach the upstream server ({type(exc).__name__}: {exc})."
            body = error_body(message, type="upstream_error", code="upstream_unreachable")
            return Result(0, body, request_id())

        status = response.status_code
        rid = response.headers.get("x-request-id") or request_id()
        try:
            parsed = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            parsed = None
        if response.is_success:
            if isinstance(parsed, dict):
                return Result(status, parsed, rid)
            log.warning("%s: %s answered %d, not JSON", self._name, request.endpoint, status)
            message = f"The upstream server answered {status} without a JSON object."
            return Result(502, error_body(message, type="upstream_error"), rid)
        log.info("%s: %s answered %d", self._name, request.endpoint, status)
        return Result(status, _error_envelope(status, parsed), rid, _retry_after(response))


def _error_envelope(status: int, parsed: Any) -> dict[str, Any]:
    """The upstream's error as OpenAI's `{"error": {...}}`, keeping what it said.

    OpenAI-compatible servers disagree on the shape: OpenAI nests an object
    under `error`, some put a string there, older vLLM puts `message`/`type`
    at the top level, FastAPI apps answer `{"detail": ...}`.
    """
    if isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, dict):
            return parsed
        if isinstance(error, str):
            return error_body(error, type="upstream_error")
        message = parsed.get("message")
        if isinstance(message, str):
            kind = parsed.get("type")
            return error_body(
                message,
                type=kind if isinstance(kind, str) else "upstream_error",
                param=parsed.get("param") if isinstance(parsed.get("param"), str) else None,
                code=parsed.get("code") if isinstance(parsed.get("code"), str) else None,
            )
        if "detail" in parsed:
            return error_body(str(parsed["detail"]), type="upstream_error")
    return error_body(f"The upstream server answered HTTP {status}.", type="upstream_error")


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait, from `retry-after-ms` (OpenAI) or `retry-after` (seconds or a date)."""
    millis = response.headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
