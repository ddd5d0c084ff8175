"""What every dashboard route shares: the templates, the signed-in session, and HTML refusals."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from batchyard.blobs import BlobStore
from batchyard.config import Settings
from batchyard.dashboard.session import Session, current
from batchyard.store import Store

PREFIX = "/dashboard"
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


class SignInNeeded(Exception):
    """No live session: pages go to the sign-in form, htmx fragments tell htmx to."""


class PageNotFound(Exception):
    """An id this session's project does not have (or that does not exist): the same 404."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


async def signed_in(request: Request) -> Session:
    session = await current(request)
    if session is None:
        raise SignInNeeded
    return session


SessionDep = Annotated[Session, Depends(signed_in)]


def parts(request: Request) -> tuple[Settings, Store, BlobStore]:
    state = request.app.state
    return state.settings, state.store, state.blobs


def render(
    request: Request, name: str, session: Session | None, status_code: int = 200, **context: Any
) -> Response:
    context.update(session=session, prefix=PREFIX, now=time.time())
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _utc(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts)) if ts else "-"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    sign, s = ("-" if seconds < 0 else ""), int(abs(seconds))
    if s >= 86400:
        return f"{sign}{s // 86400}d {s % 86400 // 3600}h"
    if s >= 3600:
        return f"{sign}{s // 3600}h {s % 3600 // 60}m"
    if s >= 60:
        return f"{sign}{s // 60}m {s % 60}s"
    return f"{sign}{s}s"


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def _usd(value: float | None) -> str:
    return "-" if value is None else f"${value:,.4f}"


templates.env.filters.update(utc=_utc, duration=_duration, size=_size, usd=_usd)
