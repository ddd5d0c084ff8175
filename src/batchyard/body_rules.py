"""OpenAI's checks of a request body: one set, for every backend that answers as it does.

The mock (what users test their pipelines against) and `transformers-chat` both
apply these, so a line that OpenAI would refuse with a 400 is refused here too,
with its shape: required fields (from `endpoints.REQUIRED_BODY_FIELDS`), each
message's role and content, and the ranges of the sampling parameters. A
backend adds only what is its own (what a local model cannot honour).
"""

from __future__ import annotations

from typing import Any

from batchyard.endpoints import CHAT, COMPLETIONS, EMBEDDINGS, MODERATIONS, REQUIRED_BODY_FIELDS
from batchyard.errors import BadRequest, missing_parameter

ROLES = ("system", "developer", "user", "assistant", "tool")
MAX_N = 128
MAX_STOPS = 4
MAX_EMBEDDING_INPUTS = 2048


def check(endpoint: str, body: dict[str, Any]) -> None:
    """A 400 (`BadRequest`) for the first rule `body` breaks, as OpenAI words it."""
    required = REQUIRED_BODY_FIELDS.get(endpoint)
    if required is not None and body.get(required[0]) is None:
        raise BadRequest(required[1], param=required[0], code="missing_required_parameter")
    if endpoint == CHAT:
        messages(body)
        integer(body, "max_completion_tokens", 1)
    if endpoint in (CHAT, COMPLETIONS):
        integer(body, "max_tokens", 1)
        integer(body, "n", 1, MAX_N)
        sampling_ranges(body)
    if endpoint in (EMBEDDINGS, MODERATIONS):
        inputs(body)


def messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    """`messages`: a non-empty array of objects, each with a known role and its content."""
    value = body.get("messages")
    if not isinstance(value, list) or not value:
        raise BadRequest("'messages' must be a non-empty array.", param="messages")
    for index, message in enumerate(value):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            raise BadRequest(
                f"Invalid type for '{where}': expected an object.",
                param=where,
                code="invalid_type",
            )
        if "role" not in message:
            raise missing_parameter(f"{where}.role")
        role = message["role"]
        if role not in ROLES:
            supported = ", ".join(f"'{r}'" for r in ROLES[:-1]) + f", and '{ROLES[-1]}'"
            raise BadRequest(
                f"Invalid value: '{str(role)[:64]}'. Supported values are: {supported}.",
                param=f"{where}.role",
                code="invalid_value",
            )
        if "content" not in message and role != "assistant":
            raise missing_parameter(f"{where}.content")
        content = message.get("content")
        if not (content is None and role == "assistant") and not isinstance(content, str | list):
            raise BadRequest(
                f"Invalid type for '{where}.content': expected a string or an array of parts.",
                param=f"{where}.content",
                code="invalid_type",
            )
    return value


def sampling_ranges(body: dict[str, Any]) -> None:
    """The decoding parameters' types and ranges (chat and completions)."""
    number(body, "temperature", 0.0, 2.0, 1.0)
    number(body, "top_p", 0.0, 1.0, 1.0)
    number(body, "presence_penalty", -2.0, 2.0, 0.0)
    number(body, "frequency_penalty", -2.0, 2.0, 0.0)
    integer(body, "seed", -(2**63), 2**64 - 1)
    stops(body)


def stops(body: dict[str, Any]) -> list[str]:
    """`stop`: a string or up to four strings."""
    stop = body.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if stop is None:
        stop = []
    if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
        raise BadRequest("'stop' must be a string or an array of strings.", param="stop")
    if len(stop) > MAX_STOPS:
        raise BadRequest(f"'stop' may hold at most {MAX_STOPS} strings.", param="stop")
    return stop


def inputs(body: dict[str, Any]) -> None:
    """`input` of embeddings and moderations: a string or a non-empty array."""
    value = body.get("input")
    if isinstance(value, str):
        return
    if not isinstance(value, list) or not value:
        raise BadRequest("'input' must be a string or a non-empty array.", param="input")
    if len(value) > MAX_EMBEDDING_INPUTS:
        raise BadRequest(f"'input' may hold at most {MAX_EMBEDDING_INPUTS} items.", param="input")


def number(body: dict[str, Any], key: str, low: float, high: float, default: float) -> float:
    value = body.get(key)
    if value is None:
        return default
    if not is_number(value) or not low <= value <= high:
        raise BadRequest(f"'{key}' must be a number from {low:g} to {high:g}.", param=key)
    return float(value)


def integer(body: dict[str, Any], key: str, low: int, high: int | None = None) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
    ):
        bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise BadRequest(f"'{key}' must be an integer {bound}.", param=key)
    return value


def flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        raise BadRequest(f"'{key}' must be a boolean.", param=key)
    return bool(value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


__all__ = [
    "MAX_N",
    "ROLES",
    "check",
    "flag",
    "integer",
    "is_number",
    "messages",
    "number",
    "sampling_ranges",
    "stops",
]
