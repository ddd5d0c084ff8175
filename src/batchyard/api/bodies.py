"""JSON request bodies: read under a byte cap, then parsed and checked by pydantic.

Routes read their body here instead of through a FastAPI body parameter, because
FastAPI reads any body whole before a route can refuse it, and Starlette's own
size cap answers in plain text rather than OpenAI's envelope.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from batchyard.api.errors import from_validation_error, wrong_content_type
from batchyard.errors import PayloadTooLarge

ModelT = TypeVar("ModelT", bound=BaseModel)


async def read_json(request: Request, model: type[ModelT], max_bytes: int) -> ModelT:
    """The body as `model`; 400 for a wrong type or bad JSON, 413 past `max_bytes`."""
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
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise from_validation_error(exc.errors()[0]) from None


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is too large: the limit is {max_bytes} bytes.",
        code="request_too_large",
    )
