"""`POST /v1/batches/{id}/retry`: batchyard extension, a new batch of an ended batch's failures.

The lines retried are those in the ended batch's error file: model errors, and
the `batch_expired` and `batch_cancelled` lines the finalizer writes for lines
that never ran. Their request lines are copied byte for byte from the input
file, in order, into a new input file; the new batch has the same endpoint and
window, the old metadata (with the optional body's `metadata` over it, so a
client can tag the new batch as its own), and `batchyard_retry_of` naming the
batch it retries.
Everything is read through the key's project, so another project's batch is a 404.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import orjson
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from batchyard import ids
from batchyard.api.bodies import read_json
from batchyard.api.deps import BlobsDep, ProjectDep, SettingsDep, StoreDep, WakeEngineDep
from batchyard.api.extras import batch_objects
from batchyard.api.routes.batches import check_metadata
from batchyard.api.routes.files import BATCH_FILE_TTL_SECONDS
from batchyard.api.schemas import OrjsonResponse
from batchyard.blobs import BlobStore
from batchyard.blobs.keys import file_key
from batchyard.config import Settings
from batchyard.errors import BadRequest, Conflict, no_such_batch
from batchyard.records import BatchRecord, FileRecord
from batchyard.store import Store

router = APIRouter(prefix="/batches", tags=["batches"])

RETRY_OF_KEY = "batchyard_retry_of"
MAX_RETRY_BODY_BYTES = 64 * 1024


class RetryBody(BaseModel):
    """The optional body: metadata laid over the old batch's. Unknown keys are ignored."""

    model_config = ConfigDict(strict=True)

    metadata: dict[str, str] | None = None


@router.post("/{batch_id}/retry")
async def retry_batch(
    request: Request,
    batch_id: str,
    store: StoreDep,
    blobs: BlobsDep,
    settings: SettingsDep,
    project: ProjectDep,
    wake_engine: WakeEngineDep,
) -> Response:
    metadata = None
    if _has_body(request):
        metadata = (await read_json(request, RetryBody, MAX_RETRY_BODY_BYTES)).metadata
        if metadata is not None:
            check_metadata(metadata)
    record = await run_in_threadpool(
        make_retry, store, blobs, settings, project, batch_id, metadata
    )
    wake_engine()
    objects = await run_in_threadpool(batch_objects, store, settings, [record])
    return OrjsonResponse(objects[0])


def _has_body(request: Request) -> bool:
    """No body (the SDK's bare `client.post`) is the plain retry; any body must be JSON."""
    length = request.headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in request.headers


def make_retry(
    store: Store,
    blobs: BlobStore,
    settings: Settings,
    project: str,
    batch_id: str,
    metadata: dict[str, str] | None = None,
) -> BatchRecord:
    """Write the retry's input file and batch; the caller's project bounds every read."""
    old = store.get_batch(project, batch_id)
    if old is None:
        raise no_such_batch(batch_id)
    if not old.status.terminal:
        raise Conflict(
            f"Cannot retry a batch with status '{old.status}': only a batch that has ended "
            "(completed, failed, expired or cancelled) can be retried.",
            param="batch_id",
            code="batch_not_ended",
        )
    error_file = store.get_file(project, old.error_file_id) if old.error_file_id else None
    if error_file is None or blobs.size(error_file.blob_key) is None:
        raise BadRequest(
            f"Batch {batch_id} has no failed, expired or cancelled lines to retry.",
            param="batch_id",
            code="nothing_to_retry",
        )
    wanted = set(_custom_ids(blobs, error_file.blob_key))
    source = store.get_file(project, old.input_file_id)
    if source is None or blobs.size(source.blob_key) is None:
        raise Conflict(
            f"The input file {old.input_file_id} of batch {batch_id} is gone; "
            "its lines cannot be retried.",
            param="batch_id",
            code="input_file_gone",
        )
    now = int(time.time())
    policy = settings.policy(project)
    file_id = ids.file_id()
    key = file_key(file_id)
    size = 0
    with blobs.writer(key) as out, blobs.reader(source.blob_key) as lines:
        for line in lines:
            if _custom_id(line) in wanted:
                out.write(line if line.endswith(b"\n") else line + b"\n")
                size += len(line) + (0 if line.endswith(b"\n") else 1)
    if size == 0:
        blobs.delete(key)
        raise BadRequest(
            f"Batch {batch_id} has no failed, expired or cancelled lines to retry.",
            param="batch_id",
            code="nothing_to_retry",
        )
    retention = policy.file_retention_seconds or BATCH_FILE_TTL_SECONDS
    file = FileRecord(
        id=file_id,
        project=project,
        purpose="batch",
        filename=f"{batch_id}_retry.jsonl",
        bytes=size,
        created_at=now,
        expires_at=now + retention,
        blob_key=key,
    )
    try:
        store.add_file(file, max_stored_bytes=policy.max_stored_bytes)
    except BaseException:
        blobs.delete(key)
        raise
    record = BatchRecord.new(
        project=project,
        endpoint=old.endpoint,
        input_file_id=file_id,
        completion_window=old.completion_window,
        now=now,
        metadata={**(old.metadata or {}), **(metadata or {}), RETRY_OF_KEY: batch_id},
        output_expires_after=old.output_expires_after,
    )
    try:
        store.add_batch(
            record,
            max_active_batches=policy.max_active_batches,
            max_enqueued_lines=policy.max_enqueued_lines,
        )
    except BaseException:  # a quota refusal: leave no orphan input file behind
        store.delete_file(project, file_id, now)
        blobs.delete(key)
        raise
    return record


def _custom_ids(blobs: BlobStore, key: str) -> Iterator[str]:
    with blobs.reader(key) as lines:
        for line in lines:
            custom_id = _custom_id(line)
            if custom_id is not None:
                yield custom_id


def _custom_id(line: bytes) -> str | None:
    """A line's custom_id, or None for a blank or unreadable line (never retried)."""
    if not line.strip():
        return None
    try:
        value = orjson.loads(line).get("custom_id")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, str) else None
