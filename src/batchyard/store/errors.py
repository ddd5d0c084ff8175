"""What a store verb refuses, said in the store's own terms.

The store knows nothing of HTTP: the API maps each error to OpenAI's envelope
(`batchyard.api.errors`), and `batchyard run` or a worker may handle it its own way.
"""

from __future__ import annotations

from dataclasses import dataclass


class StoreError(Exception):
    """A verb the store refused; nothing was written."""


@dataclass
class BatchNotFound(StoreError):
    """No batch of that id in the project (another project's batch is not found either)."""

    batch_id: str


@dataclass
class BatchNotCancellable(StoreError):
    """The batch ended otherwise (completed, failed, expired) and can no longer be cancelled."""

    status: str


class QuotaReached(StoreError):
    """An insert that would take the project past one of its quotas."""


@dataclass
class StorageQuotaReached(QuotaReached):
    project: str
    stored: int
    adding: int
    limit: int


@dataclass
class ActiveBatchesQuotaReached(QuotaReached):
    project: str
    limit: int


@dataclass
class EnqueuedLinesQuotaReached(QuotaReached):
    project: str
    limit: int
    enqueued: int
    adding: int | None = None  # the lines of the batch being started, when known


__all__ = [
    "ActiveBatchesQuotaReached",
    "BatchNotCancellable",
    "BatchNotFound",
    "EnqueuedLinesQuotaReached",
    "QuotaReached",
    "StorageQuotaReached",
    "StoreError",
]
