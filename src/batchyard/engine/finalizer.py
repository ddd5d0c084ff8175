"""Turns a batch's journals into its output and error files, idempotently.

Finalizing can crash and run again at any point: the files' ids and blob keys
are derived from the batch id, blobs appear only whole (write, then rename),
and the batch row, the file rows and the terminal status change in one
transaction. Each input line lands in exactly one of the two files: its first
journal record if it has one, else (for a cancelled or expired batch) an error
record saying why it never ran.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from batchyard import ids
from batchyard.blobs import BlobStore
from batchyard.blobs.keys import file_key, journal_folder
from batchyard.engine import journal
from batchyard.engine.lines import custom_id_of, error_line, shard_lines
from batchyard.records import BatchRecord, BatchStatus, FileRecord, StopReason, Usage
from batchyard.store import Store

log = logging.getLogger("batchyard.engine")

OUTPUT_RETENTION_SECONDS = 30 * 86400

UNRUN_ERRORS = {
    StopReason.CANCEL: (
        "batch_cancelled",
        "This request was not executed because the batch was cancelled.",
    ),
    StopReason.EXPIRE: (
        "batch_expired",
        "This request could not be executed before the completion window expired.",
    ),
    StopReason.COST_CAP: (
        "batch_cancelled",
        "This request was not executed because the batch reached its cost cap "
        "(metadata batchyard_max_cost_usd).",
    ),
    StopReason.ERROR_RATE: (
        "batch_failed",
        "This request was not executed because too many of the batch's first requests "
        "failed (the error-rate breaker stopped it).",
    ),
}


@dataclass
class _Tally:
    completed: int = 0
    failed: int = 0
    usage: Usage = field(default_factory=Usage)


def _write_files(
    store: Store,
    blobs: BlobStore,
    batch: BatchRecord,
    out: BinaryIO,
    err: BinaryIO,
    input_key: str,
    heartbeat: Callable[[], None],
) -> _Tally:
    tally = _Tally()
    unrun = UNRUN_ERRORS.get(batch.stop_reason) if batch.stop_reason else None
    for shard in store.shards_of(batch.id):
        seen: set[int] = set()
        for entry in journal.entries(blobs, shard):
            seen.add(entry.line)
            if entry.ok:
                out.write(entry.payload + b"\n")
                tally.completed += 1
            else:
                err.write(entry.payload + b"\n")
                tally.failed += 1
            tally.usage.add(entry.usage)
        if len(seen) < shard.requests:
            code, message = unrun or (
                "batch_internal_error",
                "batchyard lost track of this request; please report it.",
            )
            for number, raw in shard_lines(blobs, input_key, shard):
                if number not in seen:
                    err.write(error_line(custom_id_of(raw), code, message) + b"\n")
                    tally.failed += 1
        heartbeat()
    return tally


def finalize(
    store: Store,
    blobs: BlobStore,
    batch: BatchRecord,
    owner: str,
    lease_seconds: float,
    default_retention: int = OUTPUT_RETENTION_SECONDS,
) -> BatchStatus | None:
    """Write the result files and end the batch. Returns the terminal status, or None if
    another worker took the batch over meanwhile.

    The files expire `output_expires_after` seconds after they are written, or
    `default_retention` seconds when the batch did not say.
    """
    input_file = store.get_file(batch.project, batch.input_file_id)
    if input_file is None:
        raise RuntimeError(f"input file of {batch.id} vanished while it ran")
    now = int(time.time())
    out_id = ids.result_file_id(batch.id, "output")
    err_id = ids.result_file_id(batch.id, "error")

    def heartbeat() -> None:
        store.extend_batch_lease(batch.id, owner, time.time(), lease_seconds)

    with blobs.writer(file_key(out_id)) as out, blobs.writer(file_key(err_id)) as err:
        tally = _write_files(store, blobs, batch, out, err, input_file.blob_key, heartbeat)
        out_bytes, err_bytes = out.tell(), err.tell()

    retention = batch.output_expires_after or default_retention

    def result_file(file_id: str, kind: str, size: int, count: int) -> FileRecord | None:
        if count == 0:
            blobs.delete(file_key(file_id))
            return None
        return FileRecord(
            id=file_id,
            project=batch.project,
            purpose="batch_output",
            filename=f"{batch.id}_{kind}.jsonl",
            bytes=size,
            created_at=now,
            expires_at=now + retention,
            blob_key=file_key(file_id),
        )

    status = store.finish_batch(
        batch.id,
        owner,
        output_file=result_file(out_id, "output", out_bytes, tally.completed),
        error_file=result_file(err_id, "error", err_bytes, tally.failed),
        completed=tally.completed,
        failed=tally.failed,
        usage=tally.usage,
        now=now,
    )
    if status is not None:
        log.info(
            "batch %s %s: %d completed, %d failed",
            batch.id,
            status.value,
            tally.completed,
            tally.failed,
        )
        blobs.delete_prefix(journal_folder(batch.id))
    return status
