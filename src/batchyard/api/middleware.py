"""Give every response an `x-request-id`, and turn escaped bugs into a 500 envelope.

A pure ASGI middleware, so streamed uploads and downloads pass through untouched.
It sits inside Starlette's own error middleware and handles unexpected exceptions
itself, so that 500s carry the request id too.
"""

from __future__ import annotations

import logging
import traceback

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from batchyard.api.errors import server_error_response
from batchyard.ids import request_id

logger = logging.getLogger("batchyard.api")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id()
        header = (b"x-request-id", rid.encode())
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
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
                scope["path"],
                rid,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            if started:
                raise
            await server_error_response(rid)(scope, receive, send_with_id)
