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
        return error_body(self.message, type=self.type, param=self.param, code=self.code)


def error_body(
    message: str,
    *,
    type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """OpenAI's error envelope: an HTTP error's body, and a failed line's `response.body`."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def known_models(names: Iterable[str]) -> str:
    """The sentence that ends every `model_not_found`: what the server does offer."""
    offered = sorted(names)
    if not offered:
        return "This server offers no models for it; add one under [[models]] in its config."
    return f"Models on this server: {', '.join(offered)}."


# A message quotes at most this many characters of a client's value: 1,000 lines
# with a 30,000-character `method` once made one batch object 30 MB.
ECHO_MAX_CHARS = 64


def clip_echo(value: str) -> str:
    """A client's string as a message may quote it: cut to ECHO_MAX_CHARS plus "…"."""
    return value if len(value) <= ECHO_MAX_CHARS else value[:ECHO_MAX_CHARS] + "…"


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, as OpenAI's type errors word it."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return "binary data"


def wrong_type_message(param: str, expected: str, value: object) -> str:
    """OpenAI's `invalid_type` sentence, for a request body and for a batch line alike."""
    return f"Invalid type for '{param}': expected {expected}, but got {json_type(value)} instead."


class BadRequest(APIError):
    """A request OpenAI would reject: a 400 from the API, or a failed line's 400 from a backend."""

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
    # OpenAI's own words and param, from responses captured from it (issue 20).
    return NotFound(f"No batch found with id '{batch_id}'.", param=None)


class ServerError(APIError):
    """A 500: a bug of ours, or a model the operator must fix (a missing extra)."""

    status_code = 500
    type = "server_error"


# Per-project quotas. A quota does not clear in the seconds the SDK would wait between
# retries, so every one says `x-should-retry: false`. Storage is the client's to fix
# (delete files), hence `invalid_request_error`; the batch limits clear as batches end,
# hence `rate_limit_error`, as OpenAI's own enqueued-token limit is worded.

NO_RETRY = {"x-should-retry": "false"}


class QuotaExceeded(RateLimited):
    headers = NO_RETRY


def storage_exceeded(project: str, stored: int, adding: int, limit: int) -> QuotaExceeded:
    return QuotaExceeded(
        f"Project '{project}' has reached its storage quota: {stored:,} bytes are stored, "
        f"this upload needs at least {adding:,} more, and the limit is {limit:,} bytes. "
        "Delete files you no longer need and try again.",
        type="invalid_request_error",
        param="file",
        code="storage_quota_exceeded",
    )


def active_batches_exceeded(project: str, limit: int) -> QuotaExceeded:
    return QuotaExceeded(
        f"Project '{project}' has {limit:,} batches that have not ended, the most it may "
        "have. Please try again once some in_progress batches have been completed.",
        code="active_batch_limit_exceeded",
    )


def enqueued_lines_message(project: str, limit: int, enqueued: int, adding: int | None) -> str:
    """OpenAI's enqueued-token wording, counted in lines."""
    message = (
        f"Enqueued line limit reached for project '{project}'. Limit: {limit:,} enqueued lines"
    )
    if adding is not None:
        message += f"; {enqueued:,} are enqueued and this batch has {adding:,}"
    return message + ". Please try again once some in_progress batches have been completed."


def enqueued_lines_exceeded(project: str, limit: int, enqueued: int) -> QuotaExceeded:
    return QuotaExceeded(
        enqueued_lines_message(project, limit, enqueued, None),
        code="enqueued_line_limit_exceeded",
    )
