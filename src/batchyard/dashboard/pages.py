"""The pages and the fragments htmx polls: batches, a batch, the queue, files, downloads.

Each page renders its fragment inline and polls the fragment's own route, so
the first paint needs no script and live numbers need no reload.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from batchyard.blobs import BlobStore
from batchyard.dashboard import queries
from batchyard.dashboard.chart import Samples, progress_chart
from batchyard.dashboard.errors import error_groups
from batchyard.dashboard.pacing import pacing
from batchyard.dashboard.queries import Filters
from batchyard.dashboard.session import Session
from batchyard.dashboard.web import PREFIX, PageNotFound, SessionDep, parts, render
from batchyard.records import BatchStatus

router = APIRouter()
STATUSES = [s.value for s in BatchStatus]
_NO_DOWNLOAD = frozenset({"assistants", "user_data"})  # as the API's download refuses
Context = Callable[[Request, Session], Awaitable[dict[str, Any]]]


@router.get("")
@router.get("/")
async def home() -> Response:
    return RedirectResponse(f"{PREFIX}/batches", status_code=303)


def _filters(request: Request) -> Filters:
    q = request.query_params
    return Filters(
        status=q.get("status", "").strip(),
        model=q.get("model", "").strip(),
        metadata=q.get("metadata", "").strip(),
    )


def _live(
    path: str, fragment: str, page_template: str, fragment_template: str
) -> Callable[[Context], Context]:
    """Serve one context as a page at `path` and as the fragment htmx polls at
    `path + fragment`, so the two can never show different numbers."""

    def register(context: Context) -> Context:
        async def page(request: Request, session: SessionDep) -> Response:
            return render(request, page_template, session, **await context(request, session))

        async def part(request: Request, session: SessionDep) -> Response:
            return render(request, fragment_template, session, **await context(request, session))

        router.add_api_route(path, page, methods=["GET"], name=page_template)
        router.add_api_route(path + fragment, part, methods=["GET"], name=fragment_template)
        return context

    return register


@_live("/batches", "/rows", "batches.html", "_batch_rows.html")
async def _batches(request: Request, session: Session) -> dict[str, Any]:
    settings, store, _ = parts(request)
    filters = _filters(request)
    after = request.query_params.get("after") or None
    page = await run_in_threadpool(
        queries.batch_page, store, settings, session.project, filters, after
    )
    return {
        "page": page,
        "filters": filters,
        "after": after or "",
        "statuses": STATUSES,
        "models": [m.name for m in settings.models],
    }


async def _batch(request: Request, session: Session) -> dict[str, Any]:
    settings, store, _ = parts(request)
    batch_id = request.path_params["batch_id"]
    batch = await run_in_threadpool(queries.batch_one, store, settings, session.project, batch_id)
    if batch is None:
        raise PageNotFound(f"No such batch: {batch_id}")
    return batch


@_live("/batches/{batch_id}", "/summary", "batch.html", "_batch_summary.html")
async def _batch_summary(request: Request, session: Session) -> dict[str, Any]:
    context = await _deliveries(request, session)
    _, store, _ = parts(request)
    samples: Samples = request.app.state.dashboard_samples
    batch = context["batch"]
    context["chart"] = await run_in_threadpool(progress_chart, store, batch, samples.add(batch))
    return context


async def _deliveries(request: Request, session: Session) -> dict[str, Any]:
    """The batch, and its webhook deliveries: the session's project's events only."""
    batch = await _batch(request, session)
    _, store, _ = parts(request)
    deliveries = await run_in_threadpool(store.webhooks.deliveries_of, session.project, batch["id"])
    return {"batch": batch, "deliveries": deliveries}


@router.get("/batches/{batch_id}/webhooks")
async def batch_webhooks(request: Request, session: SessionDep, batch_id: str) -> Response:
    """The deliveries alone, polled while any is pending."""
    context = await _deliveries(request, session)
    return render(request, "_deliveries.html", session, **context)


@router.get("/batches/{batch_id}/errors")
async def batch_errors(request: Request, session: SessionDep, batch_id: str) -> Response:
    batch = await _batch(request, session)
    _, store, blobs = parts(request)
    groups = await run_in_threadpool(error_groups, store, blobs, session.project, batch)
    return render(request, "_errors.html", session, batch=batch, groups=groups)


@_live("/queue", "/body", "queue.html", "_queue.html")
async def _queue(request: Request, session: Session) -> dict[str, Any]:
    settings, store, _ = parts(request)
    queue = await run_in_threadpool(queries.queue, store, settings, session.project)
    return {"queue": queue, "pacing": await run_in_threadpool(pacing, store)}


@router.get("/files")
async def files_page(request: Request, session: SessionDep) -> Response:
    _, store, _ = parts(request)
    after = request.query_params.get("after") or None
    rows, next_after = await run_in_threadpool(queries.file_page, store, session.project, after)
    return render(request, "files.html", session, rows=rows, next_after=next_after)


@router.get("/files/{file_id}/content")
async def download(request: Request, session: SessionDep, file_id: str) -> Response:
    _, store, blobs = parts(request)
    record = await run_in_threadpool(store.get_file, session.project, file_id)
    if record is None or blobs.size(record.blob_key) is None:
        raise PageNotFound(f"No such file: {file_id}")
    if record.purpose in _NO_DOWNLOAD:
        raise PageNotFound(f"Files of purpose {record.purpose} cannot be downloaded")
    name = record.filename if record.filename.isascii() else f"{record.id}.jsonl"
    return StreamingResponse(
        _chunks(blobs, record.blob_key),
        media_type="application/octet-stream",
        headers={
            "content-length": str(record.bytes),
            "content-disposition": f'attachment; filename="{name.replace(chr(34), "")}"',
        },
    )


def _chunks(blobs: BlobStore, key: str) -> Iterator[bytes]:
    with blobs.reader(key) as fh:
        while chunk := fh.read(256 * 1024):
            yield chunk
