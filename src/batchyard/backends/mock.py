"""A deterministic stand-in for an OpenAI model, for tests, demos and benchmarks.

It answers in OpenAI's real response shapes without a network or a GPU, so the
whole pipeline can be exercised end to end. Chat, completions and responses
echo their input; embeddings are unit vectors derived from a hash of the text
(same text, same vector); moderations never flag. Usage counts
whitespace-separated words. Faults can be injected: `error_rate` fails a
fixed share of custom_ids for good (400; picked by a hash of custom_id keyed
with `seed`), `transient_error_rate` fails a random share of attempts (503;
drawn from an RNG seeded with `seed`) so that the engine's retries get exercised.

Per-request work is kept to a few microseconds: the pipeline's throughput
target is measured with this backend, so it must never be the bottleneck.

One file past the size guide on purpose: it is one stand-in, a handler per
endpoint over shared fault injection and bounds, read top to bottom.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import random
import struct
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from batchyard import body_rules
from batchyard.backends.base import Request, Result, parse_options
from batchyard.config import ModelConfig
from batchyard.endpoints import CHAT, COMPLETIONS, EMBEDDINGS, MODERATIONS, RESPONSES
from batchyard.errors import BadRequest, error_body, missing_parameter

_MAX_DIMENSIONS = 8192

# One process-wide source for response ids: cheap, and independent of `seed`
# so that ids never perturb the fault-injection sequence.
_ids = random.Random()

_MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)


@dataclass(frozen=True, slots=True)
class MockOptions:
    """`[[models]]` options of the `mock` backend."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    transient_error_rate: float = 0.0
    dimensions: int = 16
    seed: int = 0
    # Requests answered per call: many, like a server that batches; 1, like a plain HTTP API.
    max_group: int = 64
    # Append each request's custom_id here as it arrives, to count what an upstream
    # would have been paid for (crash-recovery tests and benches read it).
    call_log: str = ""

    def __post_init__(self) -> None:
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        for name in ("error_rate", "transient_error_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.max_group < 1:
            raise ValueError("max_group must be at least 1")
        if not 1 <= self.dimensions <= _MAX_DIMENSIONS:
            raise ValueError(f"dimensions must be between 1 and {_MAX_DIMENSIONS}")


class MockBackend:
    """Emulates chat, completions, responses, embeddings and moderations in-process."""

    endpoints: ClassVar[frozenset[str]] = frozenset(
        {CHAT, COMPLETIONS, EMBEDDINGS, RESPONSES, MODERATIONS}
    )
    max_group: int

    def __init__(self, model: ModelConfig) -> None:
        self.options = parse_options(MockOptions, model)
        self.max_group = self.options.max_group
        self._rng = random.Random(self.options.seed)
        self._sleep = self.options.latency_ms / 1000.0
        self._call_log = (
            open(self.options.call_log, "a", encoding="utf-8")  # noqa: SIM115 - closed in aclose
            if self.options.call_log
            else None
        )
        # custom_id hash < threshold <=> that custom_id always fails.
        self._error_threshold = int(self.options.error_rate * 2**64)
        self._id_hash = hashlib.blake2b(
            digest_size=8, key=self.options.seed.to_bytes(8, "little", signed=True)
        )
        self._handlers: dict[str, Callable[[dict[str, Any], int], dict[str, Any]]] = {
            "/v1/chat/completions": self._chat,
            "/v1/completions": self._completion,
            "/v1/embeddings": self._embeddings,
            "/v1/responses": self._response,
            "/v1/moderations": self._moderation,
        }

    async def run(self, requests: Sequence[Request]) -> list[Result]:
        if self._call_log is not None:
            self._call_log.write("".join(f"{r.custom_id}\n" for r in requests))
            self._call_log.flush()
        if self._sleep:
            await asyncio.sleep(self._sleep)
        created = int(time.time())
        return [self._answer(request, created) for request in requests]

    async def aclose(self) -> None:
        if self._call_log is not None:
            self._call_log.close()

    def fails_for_good(self, custom_id: str) -> bool:
        """Whether `error_rate` picks this custom_id; stable across runs and processes."""
        if not self._error_threshold:
            return False
        hasher = self._id_hash.copy()
        hasher.update(custom_id.encode())
        return int.from_bytes(hasher.digest(), "little") < self._error_threshold

    def _answer(self, request: Request, created: int) -> Result:
        request_id = f"req_{_ids.getrandbits(128):032x}"
        rate = self.options.transient_error_rate
        if rate and self._rng.random() < rate:
            message = "The server is overloaded (batchyard mock transient_error_rate)."
            return Result(503, error_body(message, type="server_error"), request_id)
        if self.fails_for_good(request.custom_id):
            message = "This request was rejected by the batchyard mock (error_rate)."
            return Result(400, error_body(message, code="mock_error"), request_id)
        handler = self._handlers.get(request.endpoint)
        if handler is None:
            message = f"The mock backend does not serve {request.endpoint}."
            return Result(404, error_body(message, code="unsupported_endpoint"), request_id)
        try:
            body_rules.check(request.endpoint, request.body)  # OpenAI's 400s, as it words them
            return Result(200, handler(request.body, created), request_id)
        except BadRequest as exc:
            return Result(400, exc.envelope(), request_id)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            message = f"The request body is malformed ({type(exc).__name__}: {exc})."
            return Result(400, error_body(message), request_id)

    def _chat(self, body: dict[str, Any], created: int) -> dict[str, Any]:
        reply, prompt_tokens = _last_user_text(body["messages"])
        n = _choice_count(body)
        reply, finish_reason = _bounded(reply, n)
        completion_tokens = len(reply.split())
        choices: list[dict[str, Any]] = [
            {
                "index": index,
                "message": {
                    "role": "assistant",
                    "content": reply,
                    "refusal": None,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": finish_reason,
            }
            for index in range(n)
        ]
        completion_tokens *= len(choices)
        details = {
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }
        answer = _completion_object("chat.completion", "chatcmpl", body, created, choices)
        answer["usage"] = {**_usage(prompt_tokens, completion_tokens), **details}
        answer["service_tier"] = "default"
        return answer

    def _completion(self, body: dict[str, Any], created: int) -> dict[str, Any]:
        prompts = _strings(_required(body, "prompt"), "prompt")
        n = _choice_count(body)
        replies = [_bounded(prompt, n * len(prompts)) for prompt in prompts]
        choices = [
            {"text": text, "index": index, "logprobs": None, "finish_reason": finish}
            for index, (text, finish) in enumerate(reply for reply in replies for _ in range(n))
        ]
        prompt_tokens = sum(len(prompt.split()) for prompt in prompts)
        completion_tokens = sum(len(text.split()) for text, _ in replies) * n
        answer = _completion_object("text_completion", "cmpl", body, created, choices)
        answer["usage"] = _usage(prompt_tokens, completion_tokens)
        return answer

    def _response(self, body: dict[str, Any], created: int) -> dict[str, Any]:
        items = _required(body, "input")
        instructions = body.get("instructions")
        input_tokens = len(instructions.split()) if isinstance(instructions, str) else 0
        if isinstance(items, str):
            reply = items
            input_tokens += len(items.split())
        elif isinstance(items, list):
            reply, tokens = _last_user_text(items)
            input_tokens += tokens
        else:
            raise BadRequest("'input' must be a string or an array.", param="input")
        reply, _ = _bounded(reply, 1)
        output_tokens = len(reply.split())
        response_id = f"{_ids.getrandbits(128):032x}"
        return {
            "id": f"resp_{response_id}",
            "object": "response",
            "created_at": created,
            "status": "completed",
            "background": False,
            "error": None,
            "incomplete_details": None,
            "instructions": instructions,
            "max_output_tokens": body.get("max_output_tokens"),
            "model": body.get("model"),
            "output": [
                {
                    "id": f"msg_{response_id}",
                    "type": "message",
                    "status": "completed",
                    "role": "assistant",
                    "content": [
                        {"type": "output_text", "text": reply, "annotations": [], "logprobs": []}
                    ],
                }
            ],
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
            "previous_response_id": body.get("previous_response_id"),
            "reasoning": {"effort": None, "summary": None},
            "service_tier": "default",
            "store": body.get("store", True),
            "temperature": body.get("temperature", 1.0),
            "text": {"format": {"type": "text"}},
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": body.get("tools", []),
            "top_p": body.get("top_p", 1.0),
            "truncation": body.get("truncation", "disabled"),
            "usage": {
                "input_tokens": input_tokens,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": output_tokens,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": input_tokens + output_tokens,
            },
            "user": body.get("user"),
            "metadata": body.get("metadata") or {},
        }

    def _embeddings(self, body: dict[str, Any], created: int) -> dict[str, Any]:
        texts = _strings(_required(body, "input"), "input")
        dimensions = body.get("dimensions", self.options.dimensions)
        if (
            not isinstance(dimensions, int)
            or isinstance(dimensions, bool)
            or not 1 <= dimensions <= _MAX_DIMENSIONS
        ):
            raise BadRequest(
                f"'dimensions' must be an integer between 1 and {_MAX_DIMENSIONS}.",
                param="dimensions",
            )
        encoding = body.get("encoding_format", "float")
        if encoding not in ("float", "base64"):
            raise BadRequest(
                "'encoding_format' must be 'float' or 'base64'.", param="encoding_format"
            )
        data = []
        for index, text in enumerate(texts):
            vector = mock_embedding(text, dimensions)
            embedding: list[float] | str = (
                vector.tolist()
                if encoding == "float"
                else base64.b64encode(_little_endian(vector)).decode("ascii")
            )
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        prompt_tokens = sum(len(text.split()) for text in texts)
        return {
            "object": "list",
            "data": data,
            "model": body.get("model"),
            "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
        }

    def _moderation(self, body: dict[str, Any], created: int) -> dict[str, Any]:
        items = _required(body, "input")
        if isinstance(items, str):
            items = [items]
        elif not isinstance(items, list) or not items:
            raise BadRequest("'input' must be a string or a non-empty array.", param="input")
        results = [
            {
                "flagged": False,
                "categories": dict.fromkeys(_MODERATION_CATEGORIES, False),
                "category_scores": dict.fromkeys(_MODERATION_CATEGORIES, 0.0),
                "category_applied_input_types": {
                    category: [_input_type(item)] for category in _MODERATION_CATEGORIES
                },
            }
            for item in items
        ]
        return {
            "id": f"modr-{_ids.getrandbits(128):032x}",
            "model": body.get("model"),
            "results": results,
        }


def _completion_object(
    kind: str, prefix: str, body: dict[str, Any], created: int, choices: list[dict[str, Any]]
) -> dict[str, Any]:
    """What a chat and a text completion share around their choices (usage comes next)."""
    return {
        "id": f"{prefix}-{_ids.getrandbits(128):032x}",
        "object": kind,
        "created": created,
        "model": body.get("model"),
        "choices": choices,
        "usage": {},
        "system_fingerprint": "fp_batchyard_mock",
    }


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def mock_embedding(text: str, dimensions: int) -> array[float]:
    """A unit float32 vector that depends only on `text` and `dimensions`.

    The hash's bytes are read as signed 16-bit ints and normalised, so every
    process and platform gives the same vector without numpy.
    """
    raw = array("h", hashlib.shake_128(text.encode()).digest(2 * dimensions))
    norm = sum(x * x for x in raw) ** 0.5 or 1.0
    return array("f", [x / norm for x in raw])


def _little_endian(vector: array[float]) -> bytes:
    """float32 bytes as OpenAI's base64 embeddings carry them, whatever this CPU's order."""
    return struct.pack(f"<{len(vector)}f", *vector)


def _required(body: dict[str, Any], name: str) -> Any:
    try:
        return body[name]
    except KeyError:
        raise missing_parameter(name) from None


def _last_user_text(messages: list[Any]) -> tuple[str, int]:
    """The echo (the last user message's text) and the words of every message."""
    words = 0
    reply = ""
    for message in messages:
        text = _text(message.get("content")) if isinstance(message, dict) else ""
        words += len(text.split())
        if isinstance(message, dict) and message.get("role") == "user":
            reply = text
    return reply, words


def _text(content: Any) -> str:
    """The text of a message's content: a string or a list of parts with `text`."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"] for part in content if isinstance(part, dict) and "text" in part
        )
    return ""


def _strings(value: Any, param: str) -> list[str]:
    """`input`/`prompt` as a list of strings; token-id arrays are not emulated."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return value
    raise BadRequest(
        f"'{param}' must be a string or a non-empty array of strings for the mock backend.",
        param=param,
    )


# A real model stops at its output-token limit; the mock stops its echo here, shared
# by all the choices of one answer, so a 2 MiB message with n=128 is not a 256 MiB reply.
MAX_OUTPUT_CHARS = 64 * 1024


def _bounded(text: str, shares: int) -> tuple[str, str]:
    """`text` cut to its share of MAX_OUTPUT_CHARS, and the finish_reason that says so."""
    room = MAX_OUTPUT_CHARS // max(shares, 1)
    return (text, "stop") if len(text) <= room else (text[:room], "length")


def _choice_count(body: dict[str, Any]) -> int:
    return body_rules.integer(body, "n", 1, body_rules.MAX_N) or 1


def _input_type(item: Any) -> str:
    return "image" if isinstance(item, dict) and item.get("type") == "image_url" else "text"
