"""Every error leaves as OpenAI's envelope `{"error": {message, type, param, code}}`.

The SDK reads `code` and `param` from it and retries 5xx, so a client mistake
must never surface as a 5xx. Pydantic's errors are rewritten in OpenAI's words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from batchyard.api.schemas import OrjsonResponse
from batchyard.errors import (
    APIError,
    BadRequest,
    Conflict,
    ServerError,
    active_batches_exceeded,
    clip_echo,
    enqueued_lines_exceeded,
    missing_parameter,
    no_such_batch,
    storage_exceeded,
    wrong_type_message,
)
from batchyard.store.errors import (
    ActiveBatchesQuotaReached,
    BatchNotCancellable,
    BatchNotFound,
    EnqueuedLinesQuotaReached,
    StorageQuotaReached,
    StoreError,
)

_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "an array",
}

BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: the API expects a JSON "
    "object; what was sent was not valid JSON.)"
)


def error_response(error: APIError, headers: Mapping[str, str] | None = None) -> Response:
    return OrjsonResponse(error.envelope(), status_code=error.status_code, headers=headers)


def server_error_response(request_id: str) -> Response:
    """A 500 for a bug of ours; the request id lets an operator find the log line."""
    error = ServerError(
        f"The server had an error while processing your request (request id {request_id})."
    )
    return error_response(error)


def from_store_error(exc: StoreError) -> APIError:
    """The HTTP error a client sees for a store verb's refusal."""
    match exc:
        case BatchNotFound(batch_id=batch_id):
            return no_such_batch(batch_id)
        case BatchNotCancellable(status=status):
            return Conflict(f"Cannot cancel a batch with status '{status}'.")
        case StorageQuotaReached(project=project, stored=stored, adding=adding, limit=limit):
            return storage_exceeded(project, stored, adding, limit)
        case ActiveBatchesQuotaReached(project=project, limit=limit):
            return active_batches_exceeded(project, limit)
        case EnqueuedLinesQuotaReached(project=project, limit=limit, enqueued=enqueued):
            return enqueued_lines_exceeded(project, limit, enqueued)
    raise TypeError(f"no HTTP error for {type(exc).__name__}")  # a new StoreError needs a case


def quote_list(values: Iterable[str]) -> str:
    """`'a', 'b', and 'c'`: how OpenAI lists the accepted values."""
    quoted = [f"'{v}'" for v in values]
    if len(quoted) < 3:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def wrong_content_type(got: str | None, expected: str) -> BadRequest:
    return BadRequest(f"Invalid Content-Type header ({got or 'none'}); expected {expected}.")


def invalid_value(param: str, value: object, allowed: Iterable[str]) -> BadRequest:
    return BadRequest(
        f"Invalid value for '{param}': '{clip_echo(str(value))}'. "
        f"Supported values are: {quote_list(allowed)}.",
        param=param,
        code="invalid_value",
    )


def invalid_type(param: str | None, expected: str, value: object) -> BadRequest:
    return BadRequest(
        wrong_type_message(param or "body", expected, value),
        param=param,
        code="invalid_type",
    )


def out_of_range(
    param: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> BadRequest:
    """`integer_below_min_value` / `integer_above_max_value`, in OpenAI's wording."""
    if minimum is not None:
        return BadRequest(
            f"Invalid '{param}': integer below minimum value. "
            f"Expected a value >= {minimum}, but got {value} instead.",
            param=param,
            code="integer_below_min_value",
        )
    return BadRequest(
        f"Invalid '{param}': integer above maximum value. "
        f"Expected a value <= {maximum}, but got {value} instead.",
        param=param,
        code="integer_above_max_value",
    )


def from_validation_error(error: Mapping[str, Any]) -> BadRequest:
    """Turn pydantic's first error into the 400 OpenAI would send for it."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    path = [str(p) for p in error["loc"] if not isinstance(p, int)]
    if path and path[0] in _SOURCES:
        path = path[1:]
    param = ".".join(path) or None
    if kind == "json_invalid":
        return BadRequest(BAD_JSON)
    if param is None:
        return invalid_type(None, "an object", value)
    if kind == "missing":
        return missing_parameter(param)
    if kind in _EXPECTED:
        return invalid_type(param, _EXPECTED[kind], value)
    if kind in ("greater_than_equal", "greater_than"):
        return out_of_range(param, value, minimum=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return out_of_range(param, value, maximum=ctx.get("le", ctx.get("lt")))
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ").split(", ")
        return invalid_value(param, value, [e.strip("'") for e in expected])
    return BadRequest(f"Invalid '{param}': {error['msg']}.", param=param, code="invalid_value")


def install_error_handlers(app: FastAPI) -> None:
    """Map our, FastAPI's and Starlette's exceptions to the envelope."""

    @app.exception_handler(APIError)
    async def api_error(_request: Request, exc: APIError) -> Response:
        return error_response(exc, exc.headers)

    @app.exception_handler(StoreError)
    async def store_error(_request: Request, exc: StoreError) -> Response:
        error = from_store_error(exc)
        return error_response(error, error.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> Response:
        return error_response(from_validation_error(exc.errors()[0]))

    @app.exception_handler(ClientDisconnect)
    async def client_gone(_request: Request, _exc: ClientDisconnect) -> Response:
        # Nobody is left to read this; it only keeps the disconnect out of the error log.
        return error_response(BadRequest("The request body ended before it was complete."))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        where = f"({request.method} {request.url.path})"
        if exc.status_code == 404:
            message = f"Invalid URL {where}"
        elif exc.status_code == 405:
            message = f"Invalid method for URL {where}"
        else:
            message = str(exc.detail)
        return error_response(APIError(message, status_code=exc.status_code), exc.headers)
