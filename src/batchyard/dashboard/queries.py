"""What the pages show, read through the store calls the API makes, with the session's project.

Nothing here takes a batch or file id without the project beside it, so a page
can show no more than the API would answer the same key. Batches are shown
as the API's own Batch objects (`batch_objects`), extras included.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from batchyard.api.extras import batch_objects
from batchyard.config import Settings
from batchyard.eta import estimate
from batchyard.store import Store

PAGE_SIZE = 25
_SCAN_PAGE = 100  # the store's page when a filter makes the dashboard look further


@dataclass(frozen=True, slots=True)
class Filters:
    status: str = ""
    model: str = ""
    metadata: str = ""  # "key=value" or "key"

    @property
    def active(self) -> bool:
        return bool(self.status or self.model or self.metadata)

    def match(self, batch: dict[str, Any]) -> bool:
        if self.status and batch["status"] != self.status:
            return False
        if self.model and (batch["model"] or "") != self.model:
            return False
        if self.metadata:
            key, has_value, value = self.metadata.partition("=")
            meta = batch["metadata"] or {}
            if key.strip() not in meta:
                return False
            if has_value and meta[key.strip()] != value.strip():
                return False
        return True


@dataclass(slots=True)
class BatchPage:
    batches: list[dict[str, Any]]
    next_after: str | None  # the cursor of the next page, or None on the last


def batch_page(
    store: Store, settings: Settings, project: str, filters: Filters, after: str | None
) -> BatchPage:
    """One page, newest first; with a filter, the store's pages are read until it is full."""
    if not filters.active:
        records, more = store.list_batches(project, after=after, limit=PAGE_SIZE)
        objects = batch_objects(store, settings, records)
        return BatchPage(objects, objects[-1]["id"] if more and objects else None)
    found: list[dict[str, Any]] = []
    cursor = after
    while True:
        records, more = store.list_batches(project, after=cursor, limit=_SCAN_PAGE)
        for record, obj in zip(records, batch_objects(store, settings, records), strict=True):
            cursor = record.id
            if filters.match(obj):
                found.append(obj)
                if len(found) == PAGE_SIZE:
                    return BatchPage(found, cursor if more or record is not records[-1] else None)
        if not more or not records:
            return BatchPage(found, None)


def batch_one(
    store: Store, settings: Settings, project: str, batch_id: str
) -> dict[str, Any] | None:
    record = store.get_batch(project, batch_id)
    return batch_objects(store, settings, [record])[0] if record else None


@dataclass(slots=True)
class ModelQueue:
    model: str
    batches: int = 0
    waiting: int = 0
    shards_running: int = 0
    lines_per_second: float = 0.0


@dataclass(slots=True)
class Queue:
    models: list[ModelQueue] = field(default_factory=list)
    quotas: list[tuple[str, int, int | None]] = field(default_factory=list)  # name, used, limit


def queue(store: Store, settings: Settings, project: str) -> Queue:
    """The project's own running work per model, and its quota use; no other project's."""
    running = [b for b in store.monitor.running_batches() if b.project == project]
    marks = store.monitor.progress_of([b.id for b in running])
    shards = store.monitor.running_shards()
    now = time.time()
    by_model: dict[str, ModelQueue] = {m.name: ModelQueue(m.name) for m in settings.models}
    for batch in running:
        name = batch.model or "?"
        row = by_model.setdefault(name, ModelQueue(name))
        row.batches += 1
        row.waiting += max(0, batch.total - batch.completed - batch.failed)
        eta = estimate(
            total=batch.total,
            finished=batch.completed + batch.failed,
            in_progress_at=None,
            expires_at=batch.expires_at,
            marks=marks.get(batch.id),
            now=now,
        )
        row.lines_per_second += eta.lines_per_second or 0.0
    for (model, owner), count in shards.items():
        if owner == project and model in by_model:
            by_model[model].shards_running += count
    usage = store.usage.of(project)
    policy = settings.policy(project)
    return Queue(
        models=sorted(by_model.values(), key=lambda q: q.model),
        quotas=[
            ("stored bytes", usage.stored_bytes, policy.max_stored_bytes),
            ("active batches", usage.active_batches, policy.max_active_batches),
            ("enqueued lines", usage.enqueued_lines, policy.max_enqueued_lines),
        ],
    )


@dataclass(slots=True)
class FileRow:
    file: Any  # FileRecord
    batches: list[str]


def file_page(store: Store, project: str, after: str | None) -> tuple[list[FileRow], str | None]:
    """A page of the project's files, each with the project's batches that name it."""
    records, more = store.list_files(project, purpose=None, after=after, limit=PAGE_SIZE)
    users: dict[str, list[str]] = {r.id: [] for r in records}
    cursor = None
    for _ in range(10):  # the latest 1,000 batches: enough to name a page's users
        batches, more_batches = store.list_batches(project, after=cursor, limit=_SCAN_PAGE)
        for batch in batches:
            for file_id in (batch.input_file_id, batch.output_file_id, batch.error_file_id):
                if file_id in users:
                    users[file_id].append(batch.id)
            cursor = batch.id
        if not more_batches:
            break
    rows = [FileRow(r, users[r.id]) for r in records]
    return rows, records[-1].id if more and records else None
