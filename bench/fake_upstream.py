"""A small real OpenAI-compatible server to pace against: rate-limited or concurrency-limited.

    python bench/fake_upstream.py --mode rate --rpm 3000 --tpm 200000 --port 8009
    async with FakeUpstream(FakeSettings(mode="concurrency", knee=32)) as upstream: ...

Serves `POST /v1/chat/completions` and `POST /v1/embeddings` with OpenAI-shaped
bodies (`usage`, `x-request-id`), plus `GET /stats` and `POST /stats/reset`.

Token accounting (what the limiter charges and `usage` reports):
  prompt: OpenAI's gpt-4o counting recipe with o200k_base (bpe-openai): 3 per
  message + the tokens of every string field (role, content, name; a name adds
  1) + 3 to prime the reply. Embeddings: the tokens of each input.
  completion: deterministic, from a SHA-256 of the request:
  ceil(max_tokens x (0.25 + 0.75 u)), u in [0, 1), per choice; `max_tokens`
  (or `max_completion_tokens`) defaults to 256. Same request, same answer.

mode "rate": two token buckets (requests, tokens) refilling continuously at
  limit/60 per second, capacity = limit x burst_seconds / 60 (60: a full
  minute, as OpenAI's headers describe). A request is admitted only if both
  hold 1 request and prompt + n x max_tokens tokens (reserved, as OpenAI does);
  the unused reservation is given back when the answer is sent, so the bucket
  ends up charged with `usage.total_tokens`. Otherwise: 429 with OpenAI's body
  (type `requests` or `tokens`, code `rate_limit_exceeded`), `retry-after`
  (whole seconds, rounded up) and `retry-after-ms` (until the bucket holds
  enough). Every answer carries the six `x-ratelimit-*` headers unless
  `headers=False`. `start_empty` starts both buckets at 0: the key was already
  used to its limit, so no job can beat total tokens / TPM.
  Latency: base_latency + per_token_latency x completion tokens.

mode "concurrency": an engine like vLLM with max_num_seqs = knee. Each request
  needs work w = base_latency + per_token_latency x completion tokens seconds
  of a slot. Up to `knee` requests run at once; the rest wait in FIFO order.
  With n requests in flight all running ones progress at speed
  max(thrash_floor, 1 - thrash x max(0, n - knee)), so flooding is worse than
  the knee. Peak throughput, reached at n = knee: knee / mean(w) requests/s;
  the least time for a set of requests is sum(w) / knee (`stats.work_seconds`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import math
import socket
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

import orjson
import uvicorn
from bpe_openai import get_encoding  # type: ignore[import-untyped]
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ENCODING = get_encoding("o200k_base")
DEFAULT_MAX_TOKENS = 256


@dataclass
class FakeSettings:
    mode: Literal["rate", "concurrency"] = "rate"
    rpm: int = 3000
    tpm: int = 200_000
    burst_seconds: float = 60.0
    start_empty: bool = False
    headers: bool = True
    base_latency: float = 0.05
    per_token_latency: float = 0.002
    knee: int = 32
    thrash: float = 0.0
    thrash_floor: float = 0.5


@dataclass
class Stats:
    requests: int = 0
    succeeded: int = 0
    rate_limited: int = 0
    rate_limited_requests: int = 0
    rate_limited_tokens: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    work_seconds: float = 0.0
    first_request_at: float | None = None
    last_response_at: float | None = None
    in_flight: int = 0
    max_in_flight: int = 0  # rate mode: admitted ones; concurrency mode: running + queued
    # Per second since the first request: [answers, their total tokens, 429s].
    per_second: list[list[int]] = field(default_factory=list)

    def second(self) -> list[int]:
        """This second's row of `per_second`."""
        index = int(time.time() - (self.first_request_at or time.time()))
        while len(self.per_second) <= index:
            self.per_second.append([0, 0, 0])
        return self.per_second[index]


def prompt_tokens_of(body: dict[str, Any]) -> int:
    """Tokens of a chat request's messages, or of an embeddings request's input."""
    if "messages" in body:
        total = 3
        for message in body["messages"]:
            total += 3
            for key, value in message.items():
                total += _tokens(value)
                total += 1 if key == "name" else 0
        return total
    inputs = body.get("input", "")
    items = inputs if isinstance(inputs, list) and inputs and not _is_ids(inputs) else [inputs]
    return sum(len(item) if _is_ids(item) else _tokens(item) for item in items)


def _is_ids(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, int) for v in value)


def _tokens(value: Any) -> int:
    if isinstance(value, str):
        return len(ENCODING.encode_ordinary(value))
    if isinstance(value, list):  # content parts: count the text ones
        return sum(_tokens(part.get("text", "")) for part in value if isinstance(part, dict))
    return 0


def max_tokens_of(body: dict[str, Any]) -> int:
    value = body.get("max_completion_tokens", body.get("max_tokens"))
    return value if isinstance(value, int) and value > 0 else DEFAULT_MAX_TOKENS


def completion_tokens_of(body: dict[str, Any]) -> int:
    """Per choice: 25 % to 100 % of max_tokens, fixed by the request's hash."""
    digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    return max(1, math.ceil(max_tokens_of(body) * (0.25 + 0.75 * fraction)))


def format_reset(seconds: float) -> str:
    """OpenAI's (Go's) duration format: "120ms", "1s", "17.5s", "6m0s", "1h0m0s"."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))}ms"
    minutes, rest = divmod(round(seconds, 3), 60)
    hours, minutes = divmod(int(minutes), 60)
    text = f"{rest:.3f}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    return f"{minutes}m{text}" if minutes else text


class TokenBucket:
    """Refills continuously at per_minute / 60 per second up to `capacity`."""

    def __init__(self, per_minute: float, burst_seconds: float, *, full: bool) -> None:
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self.capacity = self.rate * burst_seconds
        self.level = self.capacity if full else 0.0
        self.updated = time.monotonic()

    def refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
        self.updated = now

    def seconds_until(self, amount: float) -> float:
        return max(0.0, (min(amount, self.capacity) - self.level) / self.rate)

    def reset_seconds(self) -> float:
        return (self.capacity - self.level) / self.rate


class RateLimiter:
    """Requests and tokens per minute, OpenAI style."""

    def __init__(self, settings: FakeSettings) -> None:
        full = not settings.start_empty
        self.requests = TokenBucket(settings.rpm, settings.burst_seconds, full=full)
        self.tokens = TokenBucket(settings.tpm, settings.burst_seconds, full=full)
        self.idle = True

    def admit(self, reserve: int) -> tuple[str, float] | None:
        """Take 1 request and `reserve` tokens, or say which limit refused and for how long."""
        if self.idle:  # empty buckets start filling at the first request, not at startup
            self.idle = False
            self.requests.updated = self.tokens.updated = time.monotonic()
        self.requests.refill()
        self.tokens.refill()
        if self.requests.level < 1:
            return "requests", self.requests.seconds_until(1)
        if self.tokens.level < reserve:
            return "tokens", self.tokens.seconds_until(reserve)
        self.requests.level -= 1
        self.tokens.level -= reserve
        return None

    def give_back(self, tokens: int) -> None:
        self.tokens.refill()
        self.tokens.level = min(self.tokens.capacity, self.tokens.level + tokens)

    def headers(self) -> dict[str, str]:
        self.requests.refill()
        self.tokens.refill()
        return {
            "x-ratelimit-limit-requests": str(int(self.requests.per_minute)),
            "x-ratelimit-limit-tokens": str(int(self.tokens.per_minute)),
            "x-ratelimit-remaining-requests": str(max(0, int(self.requests.level))),
            "x-ratelimit-remaining-tokens": str(max(0, int(self.tokens.level))),
            "x-ratelimit-reset-requests": format_reset(self.requests.reset_seconds()),
            "x-ratelimit-reset-tokens": format_reset(self.tokens.reset_seconds()),
        }


@dataclass
class _Job:
    remaining: float
    done: asyncio.Future[None] = field(repr=False)


class ConcurrencyEngine:
    """`knee` slots, FIFO queue, running requests slowed down by the crowd behind them."""

    def __init__(self, settings: FakeSettings) -> None:
        self.settings = settings
        self.running: list[_Job] = []
        self.waiting: deque[_Job] = deque()
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def speed(self) -> float:
        excess = len(self.running) + len(self.waiting) - self.settings.knee
        slowdown = 1.0 - self.settings.thrash * max(0, excess)
        return max(self.settings.thrash_floor, slowdown, 0.01)  # never stalls outright

    async def serve(self, work: float) -> None:
        if self.task is None:
            self.task = asyncio.create_task(self._loop())
        job = _Job(work, asyncio.get_running_loop().create_future())
        self.waiting.append(job)
        self.wake.set()
        await job.done

    async def _loop(self) -> None:
        last = time.monotonic()
        while True:
            while self.waiting and len(self.running) < self.settings.knee:
                self.running.append(self.waiting.popleft())
            speed = self.speed()
            timeout = min((j.remaining for j in self.running), default=3600.0) / speed
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self.wake.wait()
            self.wake.clear()
            now = time.monotonic()
            for job in self.running:
                job.remaining -= (now - last) * speed
            last = now
            for job in [j for j in self.running if j.remaining <= 1e-6]:
                self.running.remove(job)
                if not job.done.done():
                    job.done.set_result(None)


class FakeUpstream:
    """The server, in this process (`async with`) or as a child process (see main)."""

    def __init__(self, settings: FakeSettings | None = None, *, port: int = 0) -> None:
        self.settings = settings or FakeSettings()
        self.stats = Stats()
        self.limiter = RateLimiter(self.settings)
        self.engine = ConcurrencyEngine(self.settings)
        self.port = port
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
                Route("/stats", self._get_stats, methods=["GET"]),
                Route("/stats/reset", self._reset_stats, methods=["POST"]),
            ]
        )
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> FakeUpstream:
        sock = socket.socket()
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                await self._task
            await asyncio.sleep(0.01)
        return self

    async def wait_closed(self) -> None:
        """Until the server stops (SIGINT or SIGTERM when run as a child)."""
        assert self._task is not None
        await self._task

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None and self._task is not None
        self._server.should_exit = True
        await self._task
        if self.engine.task is not None:
            self.engine.task.cancel()

    async def _chat(self, request: Request) -> Response:
        return await self._answer(request, chat=True)

    async def _embeddings(self, request: Request) -> Response:
        return await self._answer(request, chat=False)

    async def _answer(self, request: Request, *, chat: bool) -> Response:
        stats = self.stats
        stats.requests += 1
        stats.first_request_at = stats.first_request_at or time.time()
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return self._error(400, "We could not parse the JSON body of your request.")
        if not isinstance(body, dict) or ("messages" if chat else "input") not in body:
            return self._error(400, f"'{'messages' if chat else 'input'}' is a required property.")
        n = body.get("n", 1) if chat and isinstance(body.get("n"), int) else 1
        prompt = prompt_tokens_of(body)
        completion = completion_tokens_of(body) if chat else 0
        reserve = prompt + (n * max_tokens_of(body) if chat else 0)
        work = self.settings.base_latency + self.settings.per_token_latency * completion
        if self.settings.mode == "rate":
            refused = self.limiter.admit(reserve)
            if refused is not None:
                return self._rate_limited(body, reserve, *refused)
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            if self.settings.mode == "rate":
                await asyncio.sleep(work)
                self.limiter.give_back(reserve - prompt - n * completion)
            else:
                await self.engine.serve(work)
        finally:
            stats.in_flight -= 1
        stats.succeeded += 1
        stats.prompt_tokens += prompt
        stats.completion_tokens += n * completion
        stats.total_tokens += prompt + n * completion
        stats.work_seconds += work
        stats.last_response_at = time.time()
        row = stats.second()
        row[0] += 1
        row[1] += prompt + n * completion
        usage = {"prompt_tokens": prompt, "total_tokens": prompt + n * completion}
        model = str(body.get("model", "fake"))
        if chat:
            usage["completion_tokens"] = n * completion
            text = " ".join(["tok"] * completion)
            finish = "length" if completion == max_tokens_of(body) else "stop"
            choices = [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": finish,
                    "logprobs": None,
                }
                for i in range(n)
            ]
            payload = {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": choices,
                "usage": usage,
            }
        else:
            count = len(body["input"]) if isinstance(body["input"], list) else 1
            seed = hashlib.sha256(orjson.dumps(body["input"])).digest()
            vector = [round(b / 255 - 0.5, 4) for b in seed[:8]]
            data = [{"object": "embedding", "index": i, "embedding": vector} for i in range(count)]
            payload = {"object": "list", "data": data, "model": model, "usage": usage}
        return self._json(200, payload)

    def _rate_limited(self, body: dict[str, Any], reserve: int, kind: str, wait: float) -> Response:
        self.stats.rate_limited += 1
        self.stats.second()[2] += 1
        if kind == "requests":
            self.stats.rate_limited_requests += 1
            bucket, unit, asked = self.limiter.requests, "requests per min (RPM)", 1
        else:
            self.stats.rate_limited_tokens += 1
            bucket, unit, asked = self.limiter.tokens, "tokens per min (TPM)", reserve
        used = int(bucket.capacity - bucket.level)
        message = (
            f"Rate limit reached for {body.get('model', 'fake')} in organization org-fake on "
            f"{unit}: Limit {int(bucket.per_minute)}, Used {used}, Requested {asked}. "
            f"Please try again in {format_reset(wait)}. "
            "Visit https://platform.openai.com/account/rate-limits to learn more."
        )
        error = {"message": message, "type": kind, "param": None, "code": "rate_limit_exceeded"}
        extra = {"retry-after": str(math.ceil(wait)), "retry-after-ms": str(math.ceil(wait * 1000))}
        return self._json(429, {"error": error}, extra)

    def _error(self, status: int, message: str) -> Response:
        error = {"message": message, "type": "invalid_request_error", "param": None, "code": None}
        return self._json(status, {"error": error})

    def _json(self, status: int, payload: Any, extra: dict[str, str] | None = None) -> Response:
        headers = {"x-request-id": f"req_{uuid.uuid4().hex}", **(extra or {})}
        if self.settings.mode == "rate" and self.settings.headers:
            headers.update(self.limiter.headers())
        return Response(orjson.dumps(payload), status, headers, "application/json")

    async def _get_stats(self, request: Request) -> Response:
        payload = {"settings": asdict(self.settings), "stats": asdict(self.stats)}
        return Response(orjson.dumps(payload), 200, media_type="application/json")

    async def _reset_stats(self, request: Request) -> Response:
        self.stats = Stats()
        return await self._get_stats(request)


def command_line(settings: FakeSettings) -> list[str]:
    """The flags that make `main` build these settings (one flag per field)."""
    args = []
    for name, value in asdict(settings).items():
        if name == "headers":
            args += [] if value else ["--no-headers"]
        elif isinstance(value, bool):
            args += ["--" + name.replace("_", "-")] if value else []
        else:
            args += ["--" + name.replace("_", "-"), str(value)]
    return args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8009)
    for item in fields(FakeSettings):
        flag, default = "--" + item.name.replace("_", "-"), item.default
        if item.name == "mode":
            parser.add_argument(flag, choices=["rate", "concurrency"], default=default)
        elif item.name == "headers":
            parser.add_argument("--no-headers", dest="headers", action="store_false")
        elif isinstance(default, bool):
            parser.add_argument(flag, action="store_true")
        else:
            parser.add_argument(flag, type=type(default), default=default)
    options = vars(parser.parse_args())
    port = options.pop("port")
    settings = FakeSettings(**options)

    async def serve() -> None:
        async with FakeUpstream(settings, port=port) as upstream:
            print(f"fake upstream ({settings.mode}) at {upstream.url}", flush=True)
            await upstream.wait_closed()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
