"""Retention: delete files whose `expires_at` has passed, bytes first, then rows.

Uploads expire as `expires_after` (or the project's `file_retention_seconds`, or
OpenAI's defaults) says; batch results as `output_expires_after` (or the
project's `output_retention_seconds`, or 30 days). A batch's input file is kept
while the batch runs, and swept at the first sweep after it ends.
"""

from __future__ import annotations

import logging

from batchyard.blobs import BlobStore
from batchyard.store import Store

log = logging.getLogger("batchyard.engine")

SWEEP_BATCH = 100


def sweep_expired(store: Store, blobs: BlobStore, now: int) -> int:
    """Delete every file that has expired by `now`; return how many."""
    swept = 0
    while True:
        expired = store.retention.take_expired(now, SWEEP_BATCH)
        if not expired:
            break
        for file in expired:
            blobs.delete(file.blob_key)
        store.retention.purge([f.id for f in expired])
        swept += len(expired)
        if len(expired) < SWEEP_BATCH:
            break
    if swept:
        log.info("retention: deleted %d expired files", swept)
    return swept
