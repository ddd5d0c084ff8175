"""A batch's errors grouped by code: counts, and the first lines of each with their line numbers.

An ended batch's error lines come from its error file; a running batch's from
the lines made durable so far (the API's `/output` stream); a batch that failed
validation has its line-numbered `errors.data`. Error lines name a custom_id,
not a line number, so the input file is read once, up to the last sample's id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from batchyard.blobs import BlobStore
from batchyard.engine import journal
from batchyard.store import Store

SAMPLES = 3


@dataclass(slots=True)
class Sample:
    custom_id: str | None
    line: int | None
    message: str


@dataclass(slots=True)
class ErrorGroup:
    code: str
    count: int = 0
    samples: list[Sample] = field(default_factory=list)


def error_groups(
    store: Store, blobs: BlobStore, project: str, batch: dict[str, Any]
) -> list[ErrorGroup]:
    """The groups, largest first; `batch` is the API's Batch object for this project."""
    groups: dict[str, ErrorGroup] = {}
    if batch["errors"]:
        for entry in batch["errors"]["data"]:
            code = entry.get("code") or "error"
            group = groups.setdefault(code, ErrorGroup(code))
            group.count += 1
            if len(group.samples) < SAMPLES:
                group.samples.append(Sample(None, entry.get("line"), entry.get("message", "")))
    for custom_id, code, message in _failed_lines(_result_lines(store, blobs, project, batch)):
        group = groups.setdefault(code, ErrorGroup(code))
        group.count += 1
        if len(group.samples) < SAMPLES:
            group.samples.append(Sample(custom_id, None, message))
    _number(store, blobs, project, batch["input_file_id"], groups.values())
    return sorted(groups.values(), key=lambda g: (-g.count, g.code))


def _result_lines(
    store: Store, blobs: BlobStore, project: str, batch: dict[str, Any]
) -> Iterator[bytes]:
    if batch["status"] in ("completed", "failed", "expired", "cancelled"):
        file = store.get_file(project, batch["error_file_id"]) if batch["error_file_id"] else None
        if file is not None and blobs.size(file.blob_key) is not None:
            with blobs.reader(file.blob_key) as fh:
                yield from fh
        return
    yield from journal.durable_results(blobs, store.shards_of(batch["id"]))


def _failed_lines(lines: Iterable[bytes]) -> Iterator[tuple[str, str, str]]:
    """(custom_id, code, message) of each error line; successes are skipped."""
    for raw in lines:
        if not raw.strip():
            continue
        line = orjson.loads(raw)
        error = line.get("error")
        response = line.get("response") or {}
        status = response.get("status_code") or 0
        if error:
            yield line.get("custom_id", ""), error.get("code") or "error", error.get("message", "")
        elif status >= 400:
            body = response.get("body") or {}
            inner = body.get("error") if isinstance(body, dict) else None
            inner = inner if isinstance(inner, dict) else {}
            code = inner.get("code") or str(status)
            yield line.get("custom_id", ""), code, inner.get("message") or f"HTTP {status}"


def _number(
    store: Store, blobs: BlobStore, project: str, file_id: str, groups: Iterable[ErrorGroup]
) -> None:
    """Give each sample with a custom_id its 1-based line number in the input file."""
    waiting = {s.custom_id: s for g in groups for s in g.samples if s.custom_id and s.line is None}
    file = store.get_file(project, file_id)
    if not waiting or file is None or blobs.size(file.blob_key) is None:
        return
    with blobs.reader(file.blob_key) as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                custom_id = orjson.loads(raw).get("custom_id")
            except (orjson.JSONDecodeError, AttributeError):
                continue
            sample = waiting.pop(custom_id, None) if isinstance(custom_id, str) else None
            if sample is not None:
                sample.line = number
                if not waiting:
                    return
