"""OpenAI's wire shapes, built from the store's rows, and the one JSON encoder.

Every response spells out all keys with explicit nulls, as upstream does, so
clients that index fields (LiteLLM, strict SDK parsing) never miss one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from batchyard.records import BatchRecord, BatchStatus, FileRecord

EXPIRY_MIN_SECONDS = 3600
EXPIRY_MAX_SECONDS = 2_592_000  # 30 days


class OrjsonResponse(JSONResponse):
    """JSON rendered by orjson: several times faster than the standard library."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class ExpiresAfter(BaseModel):
    """`{anchor, seconds}`: when a file expires, counted from its creation."""

    model_config = ConfigDict(strict=True)

    anchor: Literal["created_at"]
    seconds: Annotated[int, Field(ge=EXPIRY_MIN_SECONDS, le=EXPIRY_MAX_SECONDS)]


class BatchCreate(BaseModel):
    """The body of `POST /v1/batches`. Unknown keys are ignored (house rule)."""

    model_config = ConfigDict(strict=True)

    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, str] | None = None
    output_expires_after: ExpiresAfter | None = None


def file_object(record: FileRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "object": "file",
        "bytes": record.bytes,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "filename": record.filename,
        "purpose": record.purpose,
        "status": record.status,
        "status_details": None,
    }


def file_deleted(file_id: str) -> dict[str, Any]:
    return {"id": file_id, "object": "file", "deleted": True}


def batch_object(record: BatchRecord) -> dict[str, Any]:
    """All 22 fields of `openai.types.Batch`; nested objects always complete."""
    usage = record.usage
    errors = None
    # Failed validation lists the bad lines; a batch that batchyard stopped early
    # (cost cap, error-rate breaker) carries the reason as its one entry.
    if record.status is BatchStatus.FAILED or record.errors:
        errors = {"object": "list", "data": record.errors or []}
    return {
        "id": record.id,
        "object": "batch",
        "endpoint": record.endpoint,
        "model": record.model,
        "errors": errors,
        "input_file_id": record.input_file_id,
        "completion_window": record.completion_window,
        "status": record.status.value,
        "output_file_id": record.output_file_id,
        "error_file_id": record.error_file_id,
        "created_at": record.created_at,
        "in_progress_at": record.in_progress_at,
        "expires_at": record.expires_at,
        "finalizing_at": record.finalizing_at,
        "completed_at": record.completed_at,
        "failed_at": record.failed_at,
        "expired_at": record.expired_at,
        "cancelling_at": record.cancelling_at,
        "cancelled_at": record.cancelled_at,
        "request_counts": {
            "total": record.total,
            "completed": record.completed,
            "failed": record.failed,
        },
        "usage": {
            "input_tokens": usage.input_tokens,
            "input_tokens_details": {"cached_tokens": usage.cached_tokens},
            "output_tokens": usage.output_tokens,
            "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
            "total_tokens": usage.input_tokens + usage.output_tokens,
        },
        "metadata": record.metadata,
    }


def page(data: Sequence[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    """A cursor page; the SDK asks for the next one with `after=data[-1].id`."""
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }
