"""Per-project quota errors: 429s in OpenAI's envelope, each with its own `code`.

A quota does not clear in the seconds the SDK would wait between retries, so
every one says `x-should-retry: false`. Storage is the client's to fix (delete
files), hence `invalid_request_error`; the batch limits clear as batches end,
hence `rate_limit_error`, as OpenAI's own enqueued-token limit is worded.
"""

from __future__ import annotations

from batchyard.errors import RateLimited

NO_RETRY = {"x-should-retry": "false"}


class QuotaExceeded(RateLimited):
    headers = NO_RETRY


def storage_exceeded(project: str, stored: int, adding: int, limit: int) -> QuotaExceeded:
    return QuotaExceeded(
        f"Project '{project}' has reached its storage quota: {stored:,} bytes are stored, "
        f"this upload needs at least {adding:,} more, and the limit is {limit:,} bytes. "
        "Delete files you no longer need and try again.",
        type="invalid_request_error",
        param="file",
        code="storage_quota_exceeded",
    )


def active_batches_exceeded(project: str, limit: int) -> QuotaExceeded:
    return QuotaExceeded(
        f"Project '{project}' has {limit:,} batches that have not ended, the most it may "
        "have. Please try again once some in_progress batches have been completed.",
        code="active_batch_limit_exceeded",
    )


def enqueued_lines_message(project: str, limit: int, enqueued: int, adding: int | None) -> str:
    """OpenAI's enqueued-token wording, counted in lines."""
    message = (
        f"Enqueued line limit reached for project '{project}'. Limit: {limit:,} enqueued lines"
    )
    if adding is not None:
        message += f"; {enqueued:,} are enqueued and this batch has {adding:,}"
    return message + ". Please try again once some in_progress batches have been completed."


def enqueued_lines_exceeded(project: str, limit: int, enqueued: int) -> QuotaExceeded:
    return QuotaExceeded(
        enqueued_lines_message(project, limit, enqueued, None),
        code="enqueued_line_limit_exceeded",
    )
