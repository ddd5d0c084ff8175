"""Forward batch lines to any OpenAI-compatible server (OpenAI, vLLM, SGLang, llama.cpp, ...).

A line for endpoint `/v1/chat/completions` is POSTed to
`{base_url}/chat/completions`: `base_url` names the API root *including* its
version prefix (`https://api.openai.com/v1`, `http://127.0.0.1:8001/v1`), and
the endpoint's leading `/v1` is dropped before joining, as the OpenAI SDKs do.

Every request goes through the model's `Pacer` (docs/pacing.md): it waits for
request and token budget (configured `rpm`/`tpm`, or learned from
`x-ratelimit-*` headers), an in-flight slot (adaptive below `max_concurrency`)
and the end of any `Retry-After`, and picks one of `base_urls`. A line whose URL
fails (no answer, 5xx, 429) moves at once to another usable URL; with none left,
its result goes back to the engine, which retries it.

The upstream's answer is passed through untouched; only failures without a
usable answer (timeouts, refused connections, non-JSON bodies) are turned into
OpenAI error envelopes here. Bodies and the API key are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx
import orjson

from batchyard.backends.base import Request, Result, parse_options
from batchyard.backends.pacing import Admission, Pacer, PacerLimits, TokenEstimator
from batchyard.backends.pacing.pool import UpstreamState
from batchyard.backends.pacing.ratelimit_headers import retry_after
from batchyard.backends.pacing.tokens import TokenEstimate
from batchyard.config import ConfigError, ModelConfig
from batchyard.endpoints import BATCH_ENDPOINTS
from batchyard.errors import error_body
from batchyard.ids import request_id

log = logging.getLogger(__name__)

CONNECTIONS_PER_CLIENT = 16
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class OpenAIOptions:
    """`[[models]]` options of the `openai` backend."""

    base_url: str = ""
    base_urls: list[str] = field(default_factory=list)
    api_key_env: str | None = None
    timeout_seconds: float = 600.0
    headers: dict[str, str] = field(default_factory=dict)
    # Azure OpenAI's dated API: `query = { "api-version" = "2024-10-21" }` on every
    # request, the key in an `api-key` header (`api_key_header = "api-key"`).
    query: dict[str, str] = field(default_factory=dict)
    api_key_header: str = "Authorization"
    rpm: float | None = None  # requests per minute, per base URL
    tpm: float | None = None  # tokens per minute, per base URL

    def __post_init__(self) -> None:
        if bool(self.base_url) == bool(self.base_urls):
            raise ValueError(
                "give base_url (one URL) or base_urls (a list), not both and not neither "
                "(e.g. base_url = 'https://api.openai.com/v1')"
            )
        for url in self.urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(
                    "base_url(s) must start with http:// or https:// "
                    "(e.g. 'https://api.openai.com/v1')"
                )
        if len(set(self.urls)) != len(self.urls):
            raise ValueError("base_urls must not repeat a URL")
        for name in ("rpm", "tpm"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive (leave it out to learn it)")
        if self.api_key_env is not None and not _ENV_NAME.match(self.api_key_env):
            # Not echoed: this is where a key pasted by mistake would sit.
            raise ValueError(
                "api_key_env must name an environment variable (e.g. OPENAI_API_KEY), "
                "not hold the key itself"
            )
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        if self.api_key_header.lower() != "authorization" and self.api_key_env is None:
            raise ValueError("api_key_header needs api_key_env (the variable holding the key)")
        if not re.fullmatch(r"[A-Za-z0-9-]+", self.api_key_header):
            raise ValueError("api_key_header must be an HTTP header name (e.g. api-key)")

    @property
    def urls(self) -> list[str]:
        return [url.rstrip("/") for url in (self.base_urls or [self.base_url])]


class OpenAIBackend:
    """One shared HTTP client per model, paced over its base URLs."""

    endpoints: ClassVar[frozenset[str]] = BATCH_ENDPOINTS
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
            if options.api_key_header.lower() == "authorization":
                headers["Authorization"] = f"Bearer {key}"
            else:  # Azure's `api-key`: the bare key
                headers[options.api_key_header] = key
        self._name = model.name
        self._urls = options.urls
        limits = PacerLimits(model.max_concurrency, options.rpm, options.tpm)
        self._pacer = Pacer(self._urls, limits, probe=self._probe)
        self._estimator = TokenEstimator(model.name)
        # As many connections as slots, so a request never queues inside a pool (where
        # waiting would count against the timeout and look like an upstream fault). In
        # clients of CONNECTIONS_PER_CLIENT: httpcore scans every pooled connection on
        # each request, so one client of hundreds spends more CPU than the requests.
        connections = model.max_concurrency * len(self._urls) + 1  # + one health probe
        per_client = httpx.Limits(
            max_connections=CONNECTIONS_PER_CLIENT, max_keepalive_connections=CONNECTIONS_PER_CLIENT
        )
        self._clients = [
            httpx.AsyncClient(
                headers=headers,
                params=options.query,
                timeout=httpx.Timeout(options.timeout_seconds),
                limits=per_client,
                transport=transport,
            )
            for _ in range(math.ceil(connections / CONNECTIONS_PER_CLIENT))
        ]
        self._client_load = [0] * len(self._clients)

    async def run(self, requests: Sequence[Request]) -> list[Result]:
        if len(requests) == 1:
            return [await self._send(requests[0])]
        return list(await asyncio.gather(*(self._send(request) for request in requests)))

    @property
    def max_in_flight(self) -> int:
        return sum(u.concurrency.maximum for u in self._pacer.pool.upstreams)

    def pacing_limits(self) -> dict[str, float]:
        """The limits the pacer works to now (learned or configured), for metrics."""
        return self._pacer.limits()

    def pacing_state(self) -> list[UpstreamState]:
        """Each base URL's limits and health, as the pacer knows them in this process."""
        return self._pacer.state()

    async def aclose(self) -> None:
        await self._pacer.aclose()
        for client in self._clients:
            await client.aclose()

    async def _send(self, request: Request) -> Result:
        try:
            content = orjson.dumps(request.body)
        except orjson.JSONEncodeError as exc:
            return Result(400, error_body(f"The request body cannot be sent: {exc}."), request_id())
        estimate = self._estimator.estimate(request.endpoint, request.body)
        tried: set[str] = set()
        while True:
            async with self._pacer.admit(
                estimate.total, interactive=request.interactive, exclude=frozenset(tried)
            ) as admission:
                result = await self._attempt(admission, request, content, estimate)
            tried.add(admission.url)
            failed_over = result.status_code in (0, 429) or result.status_code >= 500
            if not failed_over or not self._other_usable(tried):
                return result
            log.info("%s: %s failing over from %s", self._name, request.endpoint, admission.url)

    def _other_usable(self, tried: set[str]) -> bool:
        return any(u.healthy and u.url not in tried for u in self._pacer.pool.upstreams)

    async def _attempt(
        self, admission: Admission, request: Request, content: bytes, estimate: TokenEstimate
    ) -> Result:
        url = admission.url + request.endpoint.removeprefix("/v1")
        try:
            response = await self._post(url, content)
        except httpx.TimeoutException as exc:
            admission.observe(0, {}, timed_out=True)
            log.warning("%s: %s timed out (%s)", self._name, request.endpoint, type(exc).__name__)
            message = f"The upstream server did not answer in time ({type(exc).__name__})."
            body = error_body(message, type="upstream_error", code="upstream_timeout")
            return Result(0, body, request_id())
        except httpx.HTTPError as exc:
            admission.observe(0, {})
            log.warning("%s: %s unreachable (%s)", self._name, request.endpoint, type(exc).__name__)
            message = f"Could not reach the upstream server ({type(exc).__name__}: {exc})."
            body = error_body(message, type="upstream_error", code="upstream_unreachable")
            return Result(0, body, request_id(), reached=not isinstance(exc, httpx.ConnectError))

        status = response.status_code
        rid = response.headers.get("x-request-id") or request_id()
        try:
            parsed = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            parsed = None
        wait = retry_after(response.headers)
        if response.is_success and isinstance(parsed, dict):
            usage = parsed.get("usage")
            used = _total_tokens(usage)
            admission.observe(status, response.headers, retry_after=wait, used_tokens=used)
            if isinstance(usage, dict):
                self._estimator.learn(estimate, request.body, usage)
            return Result(status, parsed, rid)
        if response.is_success:
            admission.observe(502, response.headers)
            log.warning("%s: %s answered %d, not JSON", self._name, request.endpoint, status)
            message = f"The upstream server answered {status} without a JSON object."
            return Result(502, error_body(message, type="upstream_error"), rid)
        admission.observe(status, response.headers, retry_after=wait)
        log.info("%s: %s answered %d", self._name, request.endpoint, status)
        return Result(status, _error_envelope(status, parsed), rid, wait)

    async def _post(self, url: str, content: bytes) -> httpx.Response:
        """POST on the least busy client."""
        index = min(range(len(self._clients)), key=self._client_load.__getitem__)
        self._client_load[index] += 1
        try:
            return await self._clients[index].post(url, content=content)
        finally:
            self._client_load[index] -= 1

    async def _probe(self, base_url: str) -> bool:
        """Health check of a URL taken out of service: any answer below 500 brings it back."""
        try:
            response = await self._clients[-1].get(base_url + "/models", timeout=5.0)
        except httpx.HTTPError:
            return False
        return response.status_code < 500


def _total_tokens(usage: Any) -> float | None:
    """What the upstream counted against its token budget: prompt plus completion."""
    if not isinstance(usage, dict):
        return None
    total = usage.get("total_tokens")
    if isinstance(total, int | float):
        return float(total)
    parts = [
        usage.get(k)
        for k in ("prompt_tokens", "completion_tokens", "input_tokens", "output_tokens")
    ]
    numbers = [float(p) for p in parts if isinstance(p, int | float)]
    return sum(numbers) if numbers else None


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
