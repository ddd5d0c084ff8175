"""Intake: a `validating` batch becomes `failed` (with every bad line) or `in_progress`."""

from __future__ import annotations

import time
from typing import Any

from batchyard.blobs import BlobStore
from batchyard.config import Settings
from batchyard.engine.piece_loop import piece_spans
from batchyard.errors import enqueued_lines_message
from batchyard.pricing import CAP_KEY, parse_cap
from batchyard.records import BatchRecord, BatchStatus, LineError, ShardRecord
from batchyard.store import Store
from batchyard.store.errors import EnqueuedLinesQuotaReached
from batchyard.validation import validate_batch_file


def _file_error(message: str) -> list[dict[str, Any]]:
    return [LineError("invalid_request", message, "input_file_id").to_dict()]


def _has_cap(batch: BatchRecord) -> bool:
    try:
        return parse_cap(batch.metadata) is not None
    except ValueError:
        return True  # refused at create; a row from elsewhere still gets no silent cap


def validate_batch(
    settings: Settings,
    store: Store,
    blobs: BlobStore,
    batch: BatchRecord,
    owner: str,
    models: set[str],
) -> None:
    """Check the batch's input file in one streaming pass and record the verdict."""
    now = int(time.time())
    if batch.status is BatchStatus.CANCELLING:
        store.cancel_unstarted(batch.id, owner, now)
        return
    file = store.get_file(batch.project, batch.input_file_id)
    if file is None:
        store.fail_validation(
            batch.id,
            owner,
            _file_error(
                f"Cannot find file {batch.input_file_id}, or project {batch.project} "
                "does not have access to it."
            ),
            now,
        )
        return
    if file.purpose != "batch":
        store.fail_validation(
            batch.id,
            owner,
            _file_error(
                f"File {file.id} has purpose '{file.purpose}'; a batch needs a file "
                "uploaded with purpose 'batch'."
            ),
            now,
        )
        return

    report = validate_batch_file(
        lambda: blobs.reader(file.blob_key),
        endpoint=batch.endpoint,
        limits=settings.limits,
        models=models,
        shard_lines=settings.engine.shard_lines,
    )
    now = int(time.time())
    if not report.ok or report.model is None:
        errors = list(report.errors)
        if report.omitted_errors:
            message = (
                f"{report.omitted_errors} more errors were found and not listed; "
                "run `batchyard validate` on the file to see them all."
            )
            errors.append(LineError("too_many_errors", message))
        store.fail_validation(batch.id, owner, [e.to_dict() for e in errors], now)
        return
    if _has_cap(batch) and settings.price(report.model) is None:
        # A cap that cannot be enforced must not look as if it were.
        message = (
            f"metadata {CAP_KEY} asks for a cost cap, but model '{report.model}' has no "
            "price in this server's configuration ([[prices]])."
        )
        error = LineError("cost_cap_unpriced", message, f"metadata.{CAP_KEY}")
        store.fail_validation(batch.id, owner, [error.to_dict()], now)
        return
    spans = piece_spans(settings, report.model, report.shards)
    shards = [ShardRecord.of(batch.id, i, span) for i, span in enumerate(spans)]
    limit = settings.policy(batch.project).max_enqueued_lines
    try:
        store.start_batch(batch.id, owner, report.model, shards, now, max_enqueued_lines=limit)
    except EnqueuedLinesQuotaReached as full:
        # Counted and refused in the start's own transaction: two batches validated
        # at once cannot both take the last room (OpenAI's enqueued-token limit).
        message = enqueued_lines_message(full.project, full.limit, full.enqueued, full.adding)
        error = LineError("enqueued_line_limit_exceeded", message)
        store.fail_validation(batch.id, owner, [error.to_dict()], now)
