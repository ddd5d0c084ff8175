"""Who is asking: the bearer key decides the project of every request, or it is a 401.

A pure ASGI middleware in front of every route but `/health` and `/metrics` (the
operator's, with counts over all projects and no ids or content; keep it off
the public network), so no route can forget to check, and a refused upload is
refused before its body is read. Until
the first key is created the server is open and every request belongs to the
project `default` (`batchyard serve` allows that only on loopback); from then
on every request needs a live key, for good: revoking the last key does not
open the server again.
"""

from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from batchyard.api.errors import error_response
from batchyard.apikeys import redact
from batchyard.errors import APIError
from batchyard.store import Store

DEFAULT_PROJECT = "default"
OPEN_PATHS = frozenset({"/health", "/metrics"})
# The dashboard signs its visitors in with a key of their own and a session cookie.
OWN_AUTH_PREFIX = "/dashboard"
_WHERE = "An operator of this batchyard server can make you one with `batchyard keys create`."
_CHALLENGE = {"www-authenticate": "Bearer"}


def bearer_token(scope: Scope) -> str | None:
    """The key from `Authorization: Bearer <key>`, or None."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            header: str = value.decode("latin-1")
            scheme, _, token = header.strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


def missing_key() -> APIError:
    return APIError(
        "You didn't provide an API key. You need to provide your API key in an Authorization "
        f"header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). {_WHERE}",
        status_code=401,
        code="invalid_api_key",
    )


def incorrect_key(key: str) -> APIError:
    """Names the key only in its redacted form, never whole."""
    return APIError(
        f"Incorrect API key provided: {redact(key)}. {_WHERE}",
        status_code=401,
        code="invalid_api_key",
    )


def _own_auth(path: str) -> bool:
    return path == OWN_AUTH_PREFIX or path.startswith(OWN_AUTH_PREFIX + "/")


class AuthMiddleware:
    """Sets `scope["state"]["project"]` for the routes, or answers 401 itself."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store
        self._keys_exist = False  # once true, stays true: keys are never deleted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in OPEN_PATHS or _own_auth(path):
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope)
        project = await run_in_threadpool(self._project_of, token)
        if project is None:
            error = incorrect_key(token) if token else missing_key()
            await error_response(error, _CHALLENGE)(scope, receive, send)
            return
        scope.setdefault("state", {})["project"] = project
        await self.app(scope, receive, send)

    def _project_of(self, token: str | None) -> str | None:
        if not self._keys_exist:
            self._keys_exist = self.store.keys.any_created()
            if not self._keys_exist:
                return DEFAULT_PROJECT
        if token is None:
            return None
        key = self.store.keys.authenticate(token, int(time.time()))
        return key.project if key else None
