"""`/v1/batches`: create, retrieve, list, cancel (E6-E9).

Only the request itself is checked here. Whether the input file exists and its
lines are valid is the validator's job, reported asynchronously as a `failed`
batch, as upstream does.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from itertools import islice
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from batchyard.api.bodies import read_json
from batchyard.api.deps import BlobsDep, ProjectDep, SettingsDep, StoreDep, WakeEngineDep
from batchyard.api.errors import invalid_value, quote_list
from batchyard.api.extras import batch_objects
from batchyard.api.openapi import json_body
from batchyard.api.schemas import BatchCreate, OrjsonResponse, page
from batchyard.blobs import BlobStore
from batchyard.endpoints import BATCH_ENDPOINTS
from batchyard.engine import journal
from batchyard.errors import BadRequest, clip_echo, no_such_batch
from batchyard.pricing import CAP_KEY, parse_cap
from batchyard.records import BatchRecord

router = APIRouter(prefix="/batches", tags=["batches"])
MAX_ID_CHARS = 64  # ours are 37; OpenAI's are under 64

MAX_METADATA_PAIRS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512
# A valid create body is a few KiB; refuse larger ones before reading them into memory.
MAX_CREATE_BODY_BYTES = 1024 * 1024


@router.post("", openapi_extra=json_body(BatchCreate))
async def create_batch(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    project: ProjectDep,
    wake_engine: WakeEngineDep,
) -> Response:
    body = await read_json(request, BatchCreate, MAX_CREATE_BODY_BYTES)
    if body.endpoint not in BATCH_ENDPOINTS:
        raise BadRequest(
            f"Invalid value: '{clip_echo(body.endpoint)}'. "
            f"Supported values are: {quote_list(sorted(BATCH_ENDPOINTS))}.",
            param="endpoint",
            code="invalid_value",
        )
    windows = settings.limits.completion_windows
    if body.completion_window not in windows:
        raise invalid_value("completion_window", body.completion_window, windows)
    if len(body.input_file_id) > MAX_ID_CHARS:
        raise BadRequest(
            f"Invalid 'input_file_id': expected an ID of at most {MAX_ID_CHARS} characters, "
            f"but got one of {len(body.input_file_id)}.",
            param="input_file_id",
            code="invalid_value",
        )
    if body.metadata is not None:
        check_metadata(body.metadata)
    record = BatchRecord.new(
        project=project,
        endpoint=body.endpoint,
        input_file_id=body.input_file_id,
        completion_window=body.completion_window,
        now=int(time.time()),
        metadata=body.metadata,
        output_expires_after=(
            body.output_expires_after.seconds if body.output_expires_after else None
        ),
    )
    policy = settings.policy(project)
    await run_in_threadpool(
        store.add_batch,
        record,
        max_active_batches=policy.max_active_batches,
        max_enqueued_lines=policy.max_enqueued_lines,
    )
    wake_engine()
    return OrjsonResponse(batch_objects(store, settings, [record])[0])


@router.get("")
def list_batches(
    store: StoreDep,
    settings: SettingsDep,
    project: ProjectDep,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    records, has_more = store.list_batches(project, after=after, limit=limit)
    return OrjsonResponse(page(batch_objects(store, settings, records), has_more))


@router.get("/{batch_id}")
def retrieve_batch(
    batch_id: str, store: StoreDep, settings: SettingsDep, project: ProjectDep
) -> Response:
    record = store.get_batch(project, batch_id)
    if record is None:
        raise no_such_batch(batch_id)
    return OrjsonResponse(batch_objects(store, settings, [record])[0])


@router.get("/{batch_id}/output")
def stream_results(
    batch_id: str,
    store: StoreDep,
    blobs: BlobsDep,
    project: ProjectDep,
    after: Annotated[int, Query(ge=0, le=sys.maxsize)] = 0,  # islice's bound
) -> Response:
    """batchyard extension: the results finished so far, while the batch runs.

    JSONL of output and error lines (the same shapes as the final files), skipping
    the first `after` lines. `x-batchyard-results-complete: true` once the batch has
    ended and the stream is the whole of its output and error files.
    """
    record = store.get_batch(project, batch_id)
    if record is None:
        raise no_such_batch(batch_id)
    lines: Iterator[bytes]
    if record.status.terminal:
        keys = []
        for file_id in (record.output_file_id, record.error_file_id):
            file = store.get_file(project, file_id) if file_id else None
            if file is not None:
                keys.append(file.blob_key)
        lines = (line for key in keys for line in _file_lines(blobs, key))
    else:
        lines = journal.durable_results(blobs, store.shards_of(batch_id))
    return StreamingResponse(
        islice(lines, after, None),
        media_type="application/jsonl",
        headers={"x-batchyard-results-complete": str(record.status.terminal).lower()},
    )


def _file_lines(blobs: BlobStore, key: str) -> Iterator[bytes]:
    with blobs.reader(key) as fh:
        yield from fh


@router.post("/{batch_id}/cancel")
async def cancel_batch(
    batch_id: str,
    store: StoreDep,
    settings: SettingsDep,
    project: ProjectDep,
    wake_engine: WakeEngineDep,
) -> Response:
    record = await run_in_threadpool(store.request_cancel, project, batch_id, int(time.time()))
    wake_engine()
    objects = await run_in_threadpool(batch_objects, store, settings, [record])
    return OrjsonResponse(objects[0])


def check_metadata(metadata: dict[str, str]) -> None:
    """Upstream's limits: 16 pairs, keys up to 64 characters, values up to 512."""
    if len(metadata) > MAX_METADATA_PAIRS:
        raise BadRequest(
            "Invalid 'metadata': too many properties. Expected an object with at most "
            f"{MAX_METADATA_PAIRS} properties, but got an object with {len(metadata)} "
            "properties instead.",
            param="metadata",
            code="object_above_max_properties",
        )
    for key, value in metadata.items():
        if not key:
            raise BadRequest(
                "Invalid property name in 'metadata': a key must not be empty.",
                param="metadata",
                code="invalid_value",
            )
        if len(key) > MAX_METADATA_KEY:
            raise BadRequest(
                f"Invalid property name in 'metadata': '{clip_echo(key)}' is too long. "
                f"Expected a string with maximum length {MAX_METADATA_KEY}, but got a string "
                "with length "
                f"{len(key)} instead.",
                param=f"metadata.{key}" if len(key) <= 4 * MAX_METADATA_KEY else "metadata",
                code="property_name_above_max_length",
            )
        if len(value) > MAX_METADATA_VALUE:
            raise BadRequest(
                f"Invalid 'metadata.{key}': string too long. Expected a string with maximum "
                f"length {MAX_METADATA_VALUE}, but got a string with length {len(value)} "
                "instead.",
                param=f"metadata.{key}",
                code="string_above_max_length",
            )
    try:
        parse_cap(metadata)
    except ValueError as exc:
        raise BadRequest(
            f"Invalid 'metadata.{CAP_KEY}': {exc}.",
            param=f"metadata.{CAP_KEY}",
            code="invalid_value",
        ) from None
