"""What the store keeps, as plain dataclasses: rows, not wire models.

The API turns these into OpenAI's shapes (`api/schemas.py`); the engine acts on
them. Timestamps the client sees are Unix seconds; lease clocks are floats.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from batchyard import ids
from batchyard.config import window_seconds


class BatchStatus(enum.StrEnum):
    """OpenAI's eight batch statuses, verbatim."""

    VALIDATING = "validating"  # the input file is being checked
    FAILED = "failed"  # the input file failed validation; nothing ran
    IN_PROGRESS = "in_progress"  # lines are running
    FINALIZING = "finalizing"  # every line has a result; files are being written
    COMPLETED = "completed"  # output and error files are ready
    EXPIRED = "expired"  # the completion window ended first; unrun lines are errors
    CANCELLING = "cancelling"  # a cancel was asked; in-flight lines are finishing
    CANCELLED = "cancelled"  # cancelled; unrun lines are errors

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset(
    {BatchStatus.FAILED, BatchStatus.COMPLETED, BatchStatus.EXPIRED, BatchStatus.CANCELLED}
)


class StopReason(enum.StrEnum):
    """Why a batch stops before all lines ran; decides its end status and the unrun
    lines' error code."""

    CANCEL = "cancel"  # a client asked: ends cancelled
    EXPIRE = "expire"  # the window ran out: ends expired
    COST_CAP = "cost_cap"  # metadata batchyard_max_cost_usd was reached: ends cancelled
    ERROR_RATE = "error_rate"  # the error-rate breaker tripped: ends failed


@dataclass(slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cached_tokens += other.cached_tokens
        self.reasoning_tokens += other.reasoning_tokens


@dataclass(slots=True)
class FileRecord:
    id: str
    project: str
    purpose: str
    filename: str
    bytes: int
    created_at: int
    expires_at: int | None
    blob_key: str
    status: str = "processed"


@dataclass(slots=True)
class BatchRecord:
    id: str
    project: str
    endpoint: str
    input_file_id: str
    completion_window: str
    status: BatchStatus
    created_at: int
    expires_at: int
    metadata: dict[str, str] | None = None
    output_expires_after: int | None = None
    model: str | None = None
    errors: list[dict[str, Any]] | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    in_progress_at: int | None = None
    finalizing_at: int | None = None
    completed_at: int | None = None
    failed_at: int | None = None
    expired_at: int | None = None
    cancelling_at: int | None = None
    cancelled_at: int | None = None
    total: int = 0
    completed: int = 0
    failed: int = 0
    usage: Usage = field(default_factory=Usage)
    stop_reason: StopReason | None = None

    @classmethod
    def new(
        cls,
        *,
        project: str,
        endpoint: str,
        input_file_id: str,
        completion_window: str,
        now: int,
        metadata: dict[str, str] | None = None,
        output_expires_after: int | None = None,
    ) -> BatchRecord:
        """A batch just created, `validating`, due `completion_window` from `now`.

        The one way a batch comes to be, from `POST /v1/batches` or `batchyard run`.
        """
        return cls(
            id=ids.batch_id(),
            project=project,
            endpoint=endpoint,
            input_file_id=input_file_id,
            completion_window=completion_window,
            status=BatchStatus.VALIDATING,
            created_at=now,
            expires_at=now + window_seconds(completion_window),
            metadata=metadata,
            output_expires_after=output_expires_after,
        )


@dataclass(slots=True)
class LineError:
    """One entry of a batch's `errors.data`, as OpenAI shapes it (`line` is None for the file)."""

    code: str
    message: str
    param: str | None = None
    line: int | None = None  # 1-based physical line number in the file

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "param": self.param, "line": self.line}


@dataclass(slots=True)
class LineSpan:
    """A run of lines the validator cut for a shard; offsets let a worker seek, not scan."""

    first_line: int  # 1-based physical line number of its first line
    last_line: int  # inclusive
    start: int  # byte offset of first_line's first byte
    end: int  # byte offset just past last_line (including its newline)
    requests: int  # request (non-blank) lines in the range


@dataclass(slots=True)
class ShardRecord:
    """A contiguous range of input lines, claimed and run as one unit of work."""

    batch_id: str
    index: int
    first_line: int
    last_line: int
    start: int
    end: int
    requests: int
    status: str = "pending"  # pending | running | done
    epoch: int = 0
    owner: str | None = None

    @classmethod
    def of(cls, batch_id: str, index: int, span: LineSpan) -> ShardRecord:
        """A pending shard row for one of the validator's line ranges."""
        return cls(
            batch_id, index, span.first_line, span.last_line, span.start, span.end, span.requests
        )


@dataclass(slots=True)
class ShardProgress:
    """What a worker has made durable for one shard (absolute, not increments)."""

    completed: int = 0
    failed: int = 0
    usage: Usage = field(default_factory=Usage)


@dataclass(slots=True)
class ShardClaim:
    """A shard handed to one worker, with the batch facts it needs to run it."""

    shard: ShardRecord
    project: str
    endpoint: str
    model: str
    input_blob_key: str
    expires_at: int
    # Taken from the batches the plan gave up on: it runs on what the others leave
    # (the engine's slots and the model's limiter put it last; docs/scheduling.md).
    given_up: bool = False


@dataclass(slots=True)
class WebhookEndpointRecord:
    """Where one project's events go, and the secret that signs them."""

    id: str
    project: str
    name: str
    url: str
    event_types: list[str]
    secret: str
    created_at: int
    updated_at: int
    previous_secret: str | None = None
    previous_secret_until: int | None = None


@dataclass(slots=True)
class DueDelivery:
    """One event to send to one endpoint now, with what signing it needs."""

    id: str  # the `webhook-id` header, the same on every try
    claim: str
    endpoint_id: str
    url: str
    secrets: list[str]  # the current secret first, then one still honoured after rotation
    payload: str
    created_at: int
    attempts: int  # including this one


@dataclass(frozen=True, slots=True)
class DeliveryView:
    """One event's delivery to one endpoint, as the batch's owner may see it (no secret)."""

    id: str
    event_type: str
    endpoint_id: str
    endpoint_name: str
    url: str
    status: str  # pending | delivered | abandoned
    attempts: int
    created_at: int
    next_attempt_at: float | None  # while pending
    delivered_at: int | None
    last_status_code: int | None  # 0: no HTTP answer
    last_error: str | None


@dataclass(slots=True)
class RunningBatch:
    """A batch whose lines are running, with live counts: what the monitor watches."""

    id: str
    project: str
    model: str | None
    metadata: dict[str, str] | None
    total: int
    completed: int
    failed: int
    usage: Usage
    expires_at: int
    seq: int = 0  # submission order: the claim's tie-break after the deadline


@dataclass(slots=True)
class ProgressMarks:
    """Two (time, finished lines) marks; the rate between the older one and now is the
    batch's recent speed."""

    since_at: float
    since_finished: int
    mark_at: float
    mark_finished: int
    plan_eta: float | None = None  # the monitor's forecast in the claim's order
    at_risk_reason: str | None = None  # why that forecast passes expires_at
