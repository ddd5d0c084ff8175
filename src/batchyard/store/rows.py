"""Rows to records and back: the one place that knows both the columns and the dataclasses."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

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

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def values_of(record: Any) -> dict[str, Any]:
    """A record's fields as column values, for records whose fields are all columns."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def record_of(cls: type[R], row: RowMapping, **given: Any) -> R:
    """A record from a row whose columns carry its field names; `given` for the others."""
    taken = {f.name: row[f.name] for f in fields(cls) if f.name not in given}
    return cls(**taken, **given)


def file_values(record: FileRecord) -> dict[str, Any]:
    return values_of(record)


def file_record(row: RowMapping) -> FileRecord:
    return record_of(FileRecord, row)


def usage_values(usage: Usage) -> dict[str, int]:
    return values_of(usage)


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
    return record_of(ShardRecord, row, index=row["idx"])


def shard_values(record: ShardRecord) -> dict[str, Any]:
    values = values_of(record)
    values["idx"] = values.pop("index")
    return values
