"""`/v1/files`: upload (streamed), list, retrieve, delete, download (E1-E5).

The client's filename is display metadata only: bytes live under the key
`files/<file id>`, so no filename ever reaches a filesystem path.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from batchyard import ids
from batchyard.api.deps import BlobsDep, ProjectDep, SettingsDep, StoreDep
from batchyard.api.errors import invalid_type, invalid_value, out_of_range
from batchyard.api.schemas import (
    EXPIRY_MAX_SECONDS,
    EXPIRY_MIN_SECONDS,
    OrjsonResponse,
    file_deleted,
    file_object,
    page,
)
from batchyard.api.uploads import (
    FILE_FIELD,
    FORM_OVERHEAD_BYTES,
    Form,
    Room,
    receive_form,
    too_large,
)
from batchyard.blobs import BlobStore
from batchyard.blobs.keys import file_key
from batchyard.config import Limits
from batchyard.errors import (
    APIError,
    BadRequest,
    Conflict,
    missing_parameter,
    no_such_file,
    storage_exceeded,
)
from batchyard.records import FileRecord
from batchyard.store import Store

router = APIRouter(prefix="/files", tags=["files"])

CREATE_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
# `evals` is accepted on upload but is not a purpose a File object may carry (strict
# SDK parsing rejects it), so such files are kept as `user_data` (house rule).
_STORED_PURPOSE = {"evals": "user_data"}
_NO_DOWNLOAD = frozenset({"assistants", "user_data"})
BATCH_FILE_TTL_SECONDS = 30 * 86400
_DOWNLOAD_CHUNK = 256 * 1024
_PATH_SEPARATORS = re.compile(r"[\\/]")
# The upload form is parsed by hand (streamed), so FastAPI cannot infer it for /docs.
_UPLOAD_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "purpose"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "purpose": {"type": "string", "enum": list(CREATE_PURPOSES)},
                        "expires_after[anchor]": {"type": "string", "enum": ["created_at"]},
                        "expires_after[seconds]": {
                            "type": "integer",
                            "minimum": EXPIRY_MIN_SECONDS,
                            "maximum": EXPIRY_MAX_SECONDS,
                        },
                    },
                }
            }
        },
    }
}


@router.post("", openapi_extra=_UPLOAD_FORM)
async def create_file(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    blobs: BlobsDep,
    project: ProjectDep,
) -> Response:
    limits = settings.limits
    policy = settings.policy(project)
    header = request.headers.get("content-length", "")
    declared = int(header) if header.isdigit() else None
    if declared is not None and declared > limits.max_upload_bytes + FORM_OVERHEAD_BYTES:
        # Refused before the form is read, so its purpose is not known: name both caps.
        raise too_large(limits.max_upload_bytes, limits.max_batch_file_bytes)
    room = None
    if policy.max_stored_bytes is not None:
        room = await _storage_room(store, project, policy.max_stored_bytes)
        if declared is not None and declared > room.bytes + FORM_OVERHEAD_BYTES:
            raise room.error(declared - FORM_OVERHEAD_BYTES)

    def cap_for(fields: Mapping[str, str], filename: str) -> int:
        return _upload_cap(fields.get("purpose"), display_filename(filename), limits)

    file_id = ids.file_id()
    key = file_key(file_id)
    async with receive_form(request, blobs, key, cap_for, room) as form:
        record = _file_record(form, file_id, key, project, limits, policy.file_retention_seconds)
    try:
        await run_in_threadpool(store.add_file, record, max_stored_bytes=policy.max_stored_bytes)
    except BaseException:
        blobs.delete(key)
        raise
    return OrjsonResponse(file_object(record))


@router.get("")
def list_files(
    store: StoreDep,
    project: ProjectDep,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000,
    order: Literal["asc", "desc"] = "desc",
    purpose: str | None = None,
) -> Response:
    records, has_more = store.list_files(
        project, purpose=purpose, after=after, limit=limit, ascending=order == "asc"
    )
    return OrjsonResponse(page([file_object(r) for r in records], has_more))


@router.get("/{file_id}")
def retrieve_file(file_id: str, store: StoreDep, project: ProjectDep) -> Response:
    return OrjsonResponse(file_object(_get(store.get_file(project, file_id), file_id)))


@router.delete("/{file_id}")
def delete_file(file_id: str, store: StoreDep, blobs: BlobsDep, project: ProjectDep) -> Response:
    if store.file_in_use(project, file_id):
        raise Conflict(
            f"File {file_id} is the input of a batch that has not finished; "
            "cancel the batch or wait for it to end before deleting the file.",
            param="id",
        )
    record = _get(store.delete_file(project, file_id, int(time.time())), file_id)
    blobs.delete(record.blob_key)
    return OrjsonResponse(file_deleted(record.id))


@router.get("/{file_id}/content")
def download_file(file_id: str, store: StoreDep, blobs: BlobsDep, project: ProjectDep) -> Response:
    record = _get(store.get_file(project, file_id), file_id)
    if record.purpose in _NO_DOWNLOAD:
        raise BadRequest(f"Not allowed to download files of purpose: {record.purpose}")
    if blobs.size(record.blob_key) is None:
        raise no_such_file(file_id)
    media_type = (
        "application/jsonl" if record.filename.endswith(".jsonl") else "application/octet-stream"
    )
    return StreamingResponse(
        _chunks(blobs, record.blob_key),
        media_type=media_type,
        headers={"content-length": str(record.bytes)},
    )


async def _storage_room(store: Store, project: str, limit: int) -> Room:
    """What the project may still store; re-checked exactly when the row is inserted."""
    stored = (await run_in_threadpool(store.usage.of, project)).stored_bytes

    def error(received: int) -> APIError:
        return storage_exceeded(project, stored, received, limit)

    return Room(max(0, limit - stored), error)


MAX_FILENAME_CHARS = 255
_ASCII_INT = re.compile(r"-?[0-9]{1,12}")


def display_filename(raw: str) -> str:
    """The last path component, without control or format characters."""
    name = _PATH_SEPARATORS.split(raw)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    name = name.strip()
    if len(name) > MAX_FILENAME_CHARS:  # shorten the stem: the extension is checked after
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) < 16:
            name = stem[: MAX_FILENAME_CHARS - len(ext) - 1] + dot + ext
        else:
            name = name[:MAX_FILENAME_CHARS]
    return name if name not in ("", ".", "..") else "file"


def _upload_cap(purpose: str | None, filename: str, limits: Limits) -> int:
    """The byte cap for an upload; rejects a bad purpose or a non-JSONL batch file early."""
    if purpose is None:  # not sent yet, or not at all: checked again once the form ends
        return limits.max_upload_bytes
    if purpose not in CREATE_PURPOSES:
        raise invalid_value("purpose", purpose, CREATE_PURPOSES)
    if purpose != "batch":
        return limits.max_upload_bytes
    if not filename.endswith(".jsonl"):
        raise BadRequest("Invalid file format for Batch API. Must be .jsonl")
    return min(limits.max_batch_file_bytes, limits.max_upload_bytes)


def _file_record(
    form: Form,
    file_id: str,
    key: str,
    project: str,
    limits: Limits,
    retention: int | None,
) -> FileRecord:
    """Check the whole form (fields may follow the file) and describe the stored file.

    `retention` is the project's default lifetime for a file sent without `expires_after`.
    """
    if form.filename is None:
        raise missing_parameter(FILE_FIELD)
    purpose = form.fields.get("purpose")
    if purpose is None:
        raise missing_parameter("purpose")
    filename = display_filename(form.filename)
    cap = _upload_cap(purpose, filename, limits)
    if form.size > cap:
        raise too_large(cap)
    created_at = int(time.time())
    return FileRecord(
        id=file_id,
        project=project,
        purpose=_STORED_PURPOSE.get(purpose, purpose),
        filename=filename,
        bytes=form.size,
        created_at=created_at,
        expires_at=_expires_at(form.fields, purpose, created_at, retention),
        blob_key=key,
    )


def _expires_at(
    fields: Mapping[str, str], purpose: str, created_at: int, retention: int | None
) -> int | None:
    """From `expires_after[anchor]` and `expires_after[seconds]`, else the project's
    retention, else the purpose's default."""
    anchor = fields.get("expires_after[anchor]")
    seconds = fields.get("expires_after[seconds]")
    if anchor is None and seconds is None:
        if retention is not None:
            return created_at + retention
        return created_at + BATCH_FILE_TTL_SECONDS if purpose == "batch" else None
    if anchor is None:
        raise missing_parameter("expires_after.anchor")
    if seconds is None:
        raise missing_parameter("expires_after.seconds")
    if anchor != "created_at":
        raise invalid_value("expires_after.anchor", anchor, ["created_at"])
    if not _ASCII_INT.fullmatch(seconds):  # int() alone takes " 3600", "+3600" and "٣٦٠٠"
        raise invalid_type("expires_after.seconds", "an integer", seconds)
    value = int(seconds)
    if value < EXPIRY_MIN_SECONDS:
        raise out_of_range("expires_after.seconds", value, minimum=EXPIRY_MIN_SECONDS)
    if value > EXPIRY_MAX_SECONDS:
        raise out_of_range("expires_after.seconds", value, maximum=EXPIRY_MAX_SECONDS)
    return created_at + value


def _get(record: FileRecord | None, file_id: str) -> FileRecord:
    if record is None:
        raise no_such_file(file_id)
    return record


def _chunks(blobs: BlobStore, key: str) -> Iterator[bytes]:
    with blobs.reader(key) as fh:
        while chunk := fh.read(_DOWNLOAD_CHUNK):
            yield chunk
