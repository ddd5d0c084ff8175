"""The pages and the fragments htmx polls: batches, a batch, the queue, files, downloads.

Each page renders its fragment inline and polls the fragment's own route, so
the first paint needs no script and live numbers need no reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from batchyard.blobs import BlobStore
from batchyard.dashboard import queries
from batchyard.dashboard.chart import Samples, progress_chart
from batchyard.dashboard.errors import error_groups
from batchyard.dashboard.queries import Filters
from batchyard.dashboard.web import PREFIX, PageNotFound, SessionDep, parts, render
from batchyard.records import BatchStatus

router = APIRouter()
STATUSES = [s.value for s in BatchStatus]
_NO_DOWNLOAD = frozenset({"assistants", "user_data"})  # as the API's download refuses


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


@router.get("/batches")
async def batches_page(request: Request, session: SessionDep) -> Response:
    return await _batches(request, session, "batches.html")


@router.get("/batches/rows")
async def batches_rows(request: Request, session: SessionDep) -> Response:
    return await _batches(request, session, "_batch_rows.html")


async def _batches(request: Request, session: SessionDep, template: str) -> Response:
    settings, store, _ = parts(request)
    filters = _filters(request)
    after = request.query_params.get("after") or None
    page = await run_in_threadpool(
        queries.batch_page, store, settings, session.project, filters, after
    )
    return render(
        request,
        template,
        session,
        page=page,
        filters=filters,
        after=after or "",
        statuses=STATUSES,
        models=[m.name for m in settings.models],
    )


async def _batch(request: Request, session: SessionDep, batch_id: str) -> dict[str, Any]:
    settings, store, _ = parts(request)
    batch = await run_in_threadpool(queries.batch_one, store, settings, session.project, batch_id)
    if batch is None:
        raise PageNotFound(f"No such batch: {batch_id}")
    return batch


def _summary_context(request: Request, batch: dict[str, Any]) -> dict[str, Any]:
    _, store, _ = parts(request)
    samples: Samples = request.app.state.dashboard_samples
    return {"batch": batch, "chart": progress_chart(store, batch, samples.add(batch))}


@router.get("/batches/{batch_id}")
async def batch_page(request: Request, session: SessionDep, batch_id: str) -> Response:
    batch = await _batch(request, session, batch_id)
    context = await run_in_threadpool(_summary_context, request, batch)
    return render(request, "batch.html", session, **context)


@router.get("/batches/{batch_id}/summary")
async def batch_summary(request: Request, session: SessionDep, batch_id: str) -> Response:
    batch = await _batch(request, session, batch_id)
    context = await run_in_threadpool(_summary_context, request, batch)
    return render(request, "_batch_summary.html", session, **context)


@router.get("/batches/{batch_id}/errors")
async def batch_errors(request: Request, session: SessionDep, batch_id: str) -> Response:
    batch = await _batch(request, session, batch_id)
    _, store, blobs = parts(request)
    groups = await run_in_threadpool(error_groups, store, blobs, session.project, batch)
    return render(request, "_errors.html", session, batch=batch, groups=groups)


@router.get("/queue")
async def queue_page(request: Request, session: SessionDep) -> Response:
    return await _queue(request, session, "queue.html")


@router.get("/queue/body")
async def queue_body(request: Request, session: SessionDep) -> Response:
    return await _queue(request, session, "_queue.html")


async def _queue(request: Request, session: SessionDep, template: str) -> Response:
    settings, store, _ = parts(request)
    queue = await run_in_threadpool(queries.queue, store, settings, session.project)
    return render(request, template, session, queue=queue)


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
