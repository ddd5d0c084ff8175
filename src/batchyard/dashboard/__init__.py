"""The dashboard at `/dashboard`: server-rendered pages over the API's own store calls.

`mount_dashboard` adds it to an API app built by `create_app`; `batchyard serve`
does so unless `--no-dashboard`. docs/dashboard.md describes the pages.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from batchyard.dashboard import actions, pages
from batchyard.dashboard.chart import Samples
from batchyard.dashboard.session import Sessions
from batchyard.dashboard.web import PREFIX, PageNotFound, SignInNeeded, is_htmx, render


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard from `app`, reading through `app.state.store` as the API does."""
    app.state.dashboard_sessions = Sessions(app.state.store)
    app.state.dashboard_samples = Samples()
    app.include_router(actions.router, prefix=PREFIX, include_in_schema=False)
    app.include_router(pages.router, prefix=PREFIX, include_in_schema=False)
    static = StaticFiles(directory=Path(__file__).parent / "static")
    app.mount(f"{PREFIX}/static", static, name="dashboard-static")
    app.add_exception_handler(SignInNeeded, _sign_in)
    app.add_exception_handler(PageNotFound, _not_found)


async def _sign_in(request: Request, _exc: Exception) -> Response:
    url = f"{PREFIX}/login"
    if is_htmx(request):
        return Response(status_code=401, headers={"hx-redirect": url})
    return RedirectResponse(url, status_code=303)


async def _not_found(request: Request, exc: Exception) -> Response:
    what = exc.what if isinstance(exc, PageNotFound) else "Not found"
    return render(request, "_message.html", None, status_code=404, message=what, page=True)


__all__ = ["mount_dashboard"]
