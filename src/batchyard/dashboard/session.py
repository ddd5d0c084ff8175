"""Who is looking: a session made by signing in with an API key, kept in the store.

The cookie carries only a random token (HttpOnly, SameSite=Strict, Secure over
TLS); the store keeps its SHA-256, the key's id and project, the CSRF token and
the expiry, so every `serve` on the same database knows the session and a
restart signs nobody out. The key itself is checked once at sign-in and never
stored, shown or logged. Revoking the key deletes its sessions, and each
request checks the key is still live. With no key created yet the server is
open (as the API is, on loopback only), and a visitor gets a session for the
project `default` without signing in; it ends once the first key exists.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from batchyard.api.auth import DEFAULT_PROJECT
from batchyard.store import Store
from batchyard.store.sessions import SessionRow

COOKIE = "batchyard_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True, slots=True)
class Session:
    id: str  # the cookie's token, known only to this request; the store has its hash
    project: str
    key_id: str | None  # None while no key exists (the open, loopback-only server)
    csrf: str
    expires_at: float


class Sessions:
    """Sign-in, look-up and sign-out, over `store.sessions`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._keys_exist = False  # once true, true for good: keys are never deleted

    def keys_exist(self) -> bool:
        if not self._keys_exist:
            self._keys_exist = self.store.keys.any_created()
        return self._keys_exist

    def sign_in(self, key: str) -> Session | None:
        """A new session for a live key, or None for a wrong or revoked one."""
        record = self.store.keys.authenticate(key, int(time.time()))
        if record is None:
            return None
        return self._new(record.project, record.id)

    def open_session(self) -> Session:
        """A session for `default` while no key exists; the caller checks that first."""
        return self._new(DEFAULT_PROJECT, None)

    def _new(self, project: str, key_id: str | None) -> Session:
        now = time.time()
        session = Session(
            id=secrets.token_urlsafe(32),
            project=project,
            key_id=key_id,
            csrf=secrets.token_urlsafe(32),
            expires_at=now + SESSION_SECONDS,
        )
        row = SessionRow(project, key_id, session.csrf, session.expires_at)
        self.store.sessions.add(session.id, row, now)
        return session

    def get(self, token: str | None) -> Session | None:
        """The live session, checked against its key (revoked or expired: gone)."""
        if not token:
            return None
        row = self.store.sessions.get(token, time.time())
        if row is None:
            return None
        if row.key_id is None and self._first_key_made():
            return None
        return Session(token, row.project, row.key_id, row.csrf, row.expires_at)

    def _first_key_made(self) -> bool:
        """An open session ends once any key exists: from then on, everyone signs in."""
        if self._keys_exist:
            return True
        if not self.keys_exist():
            return False
        self.store.sessions.drop_open()
        return True

    def drop(self, token: str) -> None:
        self.store.sessions.drop(token)


def sessions_of(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.dashboard_sessions
    return sessions


async def current(request: Request) -> Session | None:
    return await run_in_threadpool(sessions_of(request).get, request.cookies.get(COOKIE))


def set_cookie(response: Response, request: Request, session: Session) -> None:
    response.set_cookie(
        COOKIE,
        session.id,
        max_age=SESSION_SECONDS,
        path="/dashboard",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/dashboard", httponly=True, samesite="strict")


def csrf_ok(session: Session, sent: str | None) -> bool:
    return sent is not None and secrets.compare_digest(session.csrf, sent)


# Sign-in has no session yet, so its CSRF token is a double submit: the form carries a
# random token and a SameSite=Strict cookie the same one; a cross-site POST has no cookie.
LOGIN_COOKIE = "batchyard_login"
LOGIN_SECONDS = 3600


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def set_login_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=LOGIN_SECONDS,
        path="/dashboard",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def login_token_ok(request: Request, sent: object) -> bool:
    kept = request.cookies.get(LOGIN_COOKIE)
    return isinstance(sent, str) and kept is not None and secrets.compare_digest(kept, sent)
