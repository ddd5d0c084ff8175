"""Signing in and out, and the buttons: cancel and retry, each behind the session's CSRF token.

The key arrives in a POST body and goes no further than `Sessions.sign_in`:
it is never echoed, put in a URL, or logged (the access log has no bodies).
Cancel and retry are the API's own verbs, called with the session's project.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from batchyard.api.errors import from_store_error
from batchyard.api.routes.retry import make_retry
from batchyard.dashboard.session import (
    CSRF_FIELD,
    CSRF_HEADER,
    LOGIN_COOKIE,
    Session,
    clear_cookie,
    csrf_ok,
    current,
    login_token_ok,
    new_login_token,
    sessions_of,
    set_cookie,
    set_login_cookie,
)
from batchyard.dashboard.web import PREFIX, PageNotFound, SessionDep, is_htmx, parts, render
from batchyard.errors import APIError
from batchyard.store.errors import BatchNotCancellable, BatchNotFound, StoreError

router = APIRouter()


@router.get("/login")
async def login_form(request: Request) -> Response:
    sessions = sessions_of(request)
    if await current(request) is not None:
        return RedirectResponse(f"{PREFIX}/batches", status_code=303)
    if not await run_in_threadpool(sessions.keys_exist):
        # No key yet: the server is open to this machine only, as the API is.
        response = RedirectResponse(f"{PREFIX}/batches", status_code=303)
        set_cookie(response, request, sessions.open_session())
        return response
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    if not login_token_ok(request, form.get(CSRF_FIELD)):
        # Not from our own sign-in page (or the page outlived its token): a forged
        # sign-in could put the victim in the forger's project.
        error = "The sign-in form had expired; please sign in again."
        return _login_page(request, status_code=403, error=error, fresh=True)
    key = form.get("api_key")
    session = None
    if isinstance(key, str) and key.strip():
        session = await run_in_threadpool(sessions_of(request).sign_in, key.strip())
    if session is None:
        return _login_page(request, status_code=401, error="That is not a live API key.")
    response = RedirectResponse(f"{PREFIX}/batches", status_code=303)
    set_cookie(response, request, session)
    return response


def _login_page(
    request: Request, *, status_code: int = 200, error: str | None = None, fresh: bool = False
) -> Response:
    """The sign-in form, with the token its POST must carry (a cookie holds the other half)."""
    kept = None if fresh else request.cookies.get(LOGIN_COOKIE)
    token = kept or new_login_token()
    response = render(
        request, "login.html", None, status_code=status_code, error=error, login_token=token
    )
    if kept is None:
        set_login_cookie(response, request, token)
    return response


async def _checked(request: Request, session: Session) -> None:
    """Refuse an action without this session's CSRF token (form field or htmx header)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent_field = (await request.form()).get(CSRF_FIELD)
        sent = sent_field if isinstance(sent_field, str) else None
    if not csrf_ok(session, sent):
        raise APIError("Missing or wrong CSRF token.", status_code=403, code="csrf_failed")


@router.post("/logout")
async def logout(request: Request, session: SessionDep) -> Response:
    await _checked(request, session)
    await run_in_threadpool(sessions_of(request).drop, session.id)
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    clear_cookie(response)
    return response


def _back(request: Request, batch_id: str) -> Response:
    url = f"{PREFIX}/batches/{batch_id}"
    if is_htmx(request):
        return Response(status_code=204, headers={"hx-redirect": url})
    return RedirectResponse(url, status_code=303)


@router.post("/batches/{batch_id}/cancel")
async def cancel(request: Request, session: SessionDep, batch_id: str) -> Response:
    await _checked(request, session)
    _, store, _ = parts(request)
    try:
        await run_in_threadpool(store.request_cancel, session.project, batch_id, int(time.time()))
    except BatchNotFound:
        raise PageNotFound(f"No such batch: {batch_id}") from None
    except BatchNotCancellable as exc:
        return render(
            request,
            "_message.html",
            session,
            status_code=409,
            message=f"Cannot cancel a batch with status '{exc.status}'.",
        )
    request.app.state.wake_engine()
    return _back(request, batch_id)


@router.post("/batches/{batch_id}/retry")
async def retry(request: Request, session: SessionDep, batch_id: str) -> Response:
    await _checked(request, session)
    settings, store, blobs = parts(request)
    try:
        record = await run_in_threadpool(
            make_retry, store, blobs, settings, session.project, batch_id
        )
    except StoreError as exc:  # a quota refusal, in the API's words
        error = from_store_error(exc)
        return render(
            request, "_message.html", session, status_code=error.status_code, message=error.message
        )
    except APIError as exc:
        if exc.status_code == 404:
            raise PageNotFound(f"No such batch: {batch_id}") from None
        return render(
            request, "_message.html", session, status_code=exc.status_code, message=exc.message
        )
    request.app.state.wake_engine()
    return _back(request, record.id)
