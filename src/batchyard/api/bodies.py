"""JSON request bodies: read under a byte cap, then parsed and checked by pydantic.

Routes read their body here instead of through a FastAPI body parameter, because
FastAPI reads any body whole before a route can refuse it, and Starlette's own
size cap answers in plain text rather than OpenAI's envelope.
"""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from batchyard.api.errors import BAD_JSON, from_validation_error, invalid_type, wrong_content_type
from batchyard.errors import BadRequest, PayloadTooLarge

ModelT = TypeVar("ModelT", bound=BaseModel)


async def read_json(request: Request, model: type[ModelT], max_bytes: int) -> ModelT:
    """The body as `model`; 400 for a wrong type or bad JSON, 413 past `max_bytes`."""
    body = await _read_bytes(request, max_bytes)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise from_validation_error(exc.errors()[0]) from None


async def read_json_object(request: Request, max_bytes: int) -> dict[str, Any]:
    """Any JSON object, for bodies a backend checks itself; 400 otherwise, 413 past `max_bytes`."""
    raw = await _read_bytes(request, max_bytes)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest(BAD_JSON) from None
    if not isinstance(body, dict):
        raise invalid_type(None, "an object", body)
    return body


async def _read_bytes(request: Request, max_bytes: int) -> bytes:
    content_type = request.headers.get("content-type")
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise wrong_content_type(content_type, "application/json")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(max_bytes)
    return bytes(body)


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is too large: the limit is {max_bytes} bytes.",
        code="request_too_large",
    )
