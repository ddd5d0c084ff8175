"""Who is looking: a session made by signing in with an API key, held in this process.

The cookie carries only a random session id (HttpOnly, SameSite=Strict, Secure
over TLS); the key itself is checked once at sign-in and never stored, shown or
logged. A session remembers the key's id and project, and is dropped as soon
as that key is revoked. Every action carries the session's CSRF token. With no
key created yet the server is open (as the API is, on loopback only), and a
visitor gets a session for the project `default` without signing in.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from batchyard.api.auth import DEFAULT_PROJECT
from batchyard.store import Store

COOKIE = "batchyard_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    project: str
    key_id: str | None  # None while no key exists (the open, loopback-only server)
    csrf: str
    expires_at: float


class Sessions:
    """Live sessions by id; lost on restart, which only means signing in again."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._keys_exist = False

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
        session = Session(
            id=secrets.token_urlsafe(32),
            project=project,
            key_id=key_id,
            csrf=secrets.token_urlsafe(32),
            expires_at=time.time() + SESSION_SECONDS,
        )
        with self._lock:
            self._by_id[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session, checked against its key (revoked or expired: gone)."""
        if not session_id:
            return None
        with self._lock:
            session = self._by_id.get(session_id)
        if session is None:
            return None
        if session.expires_at < time.time() or not self._key_live(session):
            self.drop(session.id)
            return None
        return session

    def _key_live(self, session: Session) -> bool:
        if session.key_id is None:  # an open session ends once the first key exists
            self._keys_exist = False
            return not self.keys_exist()
        keys = self.store.keys.all(session.project)
        return any(k.id == session.key_id and k.revoked_at is None for k in keys)

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._by_id.pop(session_id, None)


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
