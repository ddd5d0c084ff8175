"""Errors that reach a client, each shaped as OpenAI's envelope.

Raise an `APIError` anywhere below the API and it becomes
`{"error": {"message", "type", "param", "code"}}` with its status code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class APIError(Exception):
    """A client-facing error with an HTTP status and OpenAI's four error fields."""

    status_code = 400
    type = "invalid_request_error"
    headers: Mapping[str, str] | None = None  # sent with the response, e.g. x-should-retry

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        status_code: int | None = None,
        type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code
        if status_code is not None:
            self.status_code = status_code
        if type is not None:
            self.type = type

    def envelope(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def known_models(names: Iterable[str]) -> str:
    """The sentence that ends every `model_not_found`: what the server does offer."""
    offered = sorted(names)
    if not offered:
        return "This server offers no models for it; add one under [[models]] in its config."
    return f"Models on this server: {', '.join(offered)}."


class BadRequest(APIError):
    status_code = 400


class Unauthorized(APIError):
    status_code = 401


class NotFound(APIError):
    status_code = 404


class Conflict(APIError):
    status_code = 409


class PayloadTooLarge(APIError):
    status_code = 413


class RateLimited(APIError):
    status_code = 429
    type = "rate_limit_error"


def missing_parameter(name: str) -> BadRequest:
    return BadRequest(
        f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter"
    )


def no_such_file(file_id: str) -> NotFound:
    return NotFound(f"No such File object: {file_id}", param="id")


def no_such_batch(batch_id: str) -> NotFound:
    return NotFound(f"No such Batch object: {batch_id}", param="batch_id")
