"""Read a table's rows one at a time: CSV, JSONL or Parquet, whatever its size.

Each row comes with its 1-based data row number (the header is not a row), so
every later message can point at the row to fix.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from batchyard.client.errors import ToolkitError, require_pyarrow

FORMATS = ("csv", "tsv", "jsonl", "parquet")
_PARQUET_BATCH = 10_000


def detect_format(path: Path, given: str | None) -> str:
    if given:
        return given
    suffix = path.suffix.lower().lstrip(".")
    kind = {"ndjson": "jsonl", "json": "jsonl", "pq": "parquet"}.get(suffix, suffix)
    if kind not in FORMATS:
        raise ToolkitError(f"{path}: cannot tell the format from {path.suffix!r}; pass --format")
    return kind


def columns(path: Path, fmt: str) -> list[str] | None:
    """The table's column names, or None when rows may differ (JSONL)."""
    if fmt in ("csv", "tsv"):
        with open(path, encoding="utf-8-sig", newline="") as file:
            header = next(csv.reader(file, delimiter="\t" if fmt == "tsv" else ","), None)
        if not header:
            raise ToolkitError(f"{path}: the file is empty (a header row is needed)")
        return header
    if fmt == "parquet":
        _, pq = require_pyarrow("read Parquet")
        return list(pq.ParquetFile(path).schema_arrow.names)
    return None


def read_rows(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, row) for each row of the table."""
    if fmt in ("csv", "tsv"):
        with open(path, encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file, delimiter="\t" if fmt == "tsv" else ",")
            for number, row in enumerate(reader, start=1):
                if None in row:
                    raise ToolkitError(
                        f"{path}: row {number} (line {reader.line_num}) has more fields "
                        "than the header"
                    )
                yield number, row
    elif fmt == "jsonl":
        with open(path, "rb") as file:
            number = 0
            for line_no, raw in enumerate(file, start=1):
                if not raw.strip():
                    continue
                number += 1
                try:
                    row = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    raise ToolkitError(f"{path}:{line_no}: not valid JSON") from None
                if not isinstance(row, dict):
                    raise ToolkitError(f"{path}:{line_no}: a row must be a JSON object")
                yield number, row
    elif fmt == "parquet":
        _, pq = require_pyarrow("read Parquet")
        number = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=_PARQUET_BATCH):
            for row in batch.to_pylist():
                number += 1
                yield number, row
    else:
        raise ToolkitError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
