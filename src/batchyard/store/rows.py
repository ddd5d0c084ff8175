"""Rows to records and back: the one place that knows both the columns and the dataclasses."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping

from batchyard.records import (
    BatchRecord,
    BatchStatus,
    FileRecord,
    ShardProgress,
    ShardRecord,
    StopReason,
    Usage,
)


def file_values(record: FileRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "project": record.project,
        "purpose": record.purpose,
        "filename": record.filename,
        "bytes": record.bytes,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "status": record.status,
        "blob_key": record.blob_key,
    }


def file_record(row: RowMapping) -> FileRecord:
    return FileRecord(
        id=row["id"],
        project=row["project"],
        purpose=row["purpose"],
        filename=row["filename"],
        bytes=row["bytes"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        blob_key=row["blob_key"],
        status=row["status"],
    )


def usage_values(usage: Usage) -> dict[str, int]:
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cached_tokens": usage.cached_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
    }


def progress_values(progress: ShardProgress) -> dict[str, int]:
    return {
        "completed": progress.completed,
        "failed": progress.failed,
        **usage_values(progress.usage),
    }


BATCH_FIELDS = (
    "id", "project", "endpoint", "input_file_id", "completion_window", "created_at",
    "expires_at", "metadata", "output_expires_after", "model", "errors", "output_file_id",
    "error_file_id", "in_progress_at", "finalizing_at", "completed_at", "failed_at",
    "expired_at", "cancelling_at", "cancelled_at", "total", "completed", "failed",
)  # fmt: skip


def batch_values(record: BatchRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in BATCH_FIELDS}
    values["status"] = record.status.value
    values["stop_reason"] = record.stop_reason.value if record.stop_reason else None
    values.update(usage_values(record.usage))
    return values


def batch_record(row: RowMapping) -> BatchRecord:
    record = BatchRecord(
        **{name: row[name] for name in BATCH_FIELDS},
        status=BatchStatus(row["status"]),
        stop_reason=StopReason(row["stop_reason"]) if row["stop_reason"] else None,
    )
    record.usage = Usage(
        row["input_tokens"], row["output_tokens"], row["cached_tokens"], row["reasoning_tokens"]
    )
    return record


def shard_record(row: RowMapping) -> ShardRecord:
    return ShardRecord(
        batch_id=row["batch_id"],
        index=row["idx"],
        first_line=row["first_line"],
        last_line=row["last_line"],
        start=row["start"],
        end=row["end"],
        requests=row["requests"],
        status=row["status"],
        epoch=row["epoch"],
        owner=row["owner"],
    )
