"""Files and batches put straight into a store, as the API would, for store-level tests."""

from __future__ import annotations

from batchyard import ids
from batchyard.records import BatchRecord, BatchStatus, FileRecord
from batchyard.store import Store

NOW = 1_800_000_000


def file_record(
    *,
    project: str = "p",
    purpose: str = "batch",
    size: int = 10,
    created_at: int = NOW,
    expires_at: int | None = None,
    blob_key: str | None = None,
) -> FileRecord:
    file_id = ids.file_id()
    return FileRecord(
        id=file_id,
        project=project,
        purpose=purpose,
        filename="in.jsonl",
        bytes=size,
        created_at=created_at,
        expires_at=expires_at,
        blob_key=blob_key or f"files/{file_id}",
    )


def add_file(store: Store, record: FileRecord | None = None) -> FileRecord:
    """`record` (a default `file_record()` if none), stored."""
    record = record or file_record()
    store.add_file(record)
    return record


def batch_record(
    file_id: str = "file-x",
    *,
    project: str = "p",
    created_at: int = NOW,
    expires_at: int = NOW + 86400,
) -> BatchRecord:
    return BatchRecord(
        id=ids.batch_id(),
        project=project,
        endpoint="/v1/chat/completions",
        input_file_id=file_id,
        completion_window="24h",
        status=BatchStatus.VALIDATING,
        created_at=created_at,
        expires_at=expires_at,
    )


def add_batch(store: Store, record: BatchRecord | str = "file-x") -> BatchRecord:
    """`record`, or a default `batch_record` of the file with that id, stored."""
    if isinstance(record, str):
        record = batch_record(record)
    store.add_batch(record)
    return record
