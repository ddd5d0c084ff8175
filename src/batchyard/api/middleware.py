"""Every request: an `x-request-id`, one access-log line, and escaped bugs as a 500 envelope.

A pure ASGI middleware, so streamed uploads and downloads pass through untouched.
It sits inside Starlette's own error middleware and handles unexpected exceptions
itself, so that 500s carry the request id too.

The access line is JSON on the `batchyard.access` logger: request id, project,
method, route template (`/v1/files/{file_id}`, never the path, which holds ids),
status and latency. Never a body, a header, a query string or a key.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from batchyard.api.errors import server_error_response
from batchyard.ids import request_id

logger = logging.getLogger("batchyard.api")
access_log = logging.getLogger("batchyard.access")


class RequestMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id()
        header = (b"x-request-id", rid.encode())
        started_at = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # The exception's text is left out: driver errors quote the statement's
            # parameters, which may hold a client's data.
            logger.error(
                "unhandled %s in %s %s (request %s)\n%s",
                type(exc).__qualname__,
                scope["method"],
                _route(scope),
                rid,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            if status:
                raise
            await server_error_response(rid)(scope, receive, send_with_id)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(_access_line(scope, rid, status, started_at))


def _route(scope: Scope) -> str | None:
    """The matched route's template (`/v1/files/{file_id}`), or None when none matched.

    Rebuilt from the path and its parameters rather than read from the route
    object, whose `path` lacks the prefixes of the routers that include it.
    """
    if scope.get("route") is None:
        return None
    params: dict[str, Any] = scope.get("path_params") or {}
    segments: list[str] = scope["path"].split("/")
    for name, value in params.items():
        # The last match: a parameter follows the literal segments of its route
        # (`/v1/batches/batches/cancel` has the id `batches`).
        for i in reversed(range(len(segments))):
            if segments[i] == str(value):
                segments[i] = f"{{{name}}}"
                break
    return "/".join(segments)


def _access_line(scope: Scope, rid: str, status: int, started_at: float) -> str:
    state = scope.get("state") or {}
    line = {
        "request_id": rid,
        "project": state.get("project"),
        "method": scope["method"],
        "route": _route(scope),
        "status": status or None,  # None: no response was started (the client left)
        "ms": round((time.perf_counter() - started_at) * 1000, 1),
    }
    return orjson.dumps(line).decode()
