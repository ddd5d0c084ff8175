"""Merged result files: JSONL (the server's lines, verbatim), CSV, or Parquet (flat columns).

JSONL keeps every byte the server sent, one line per input request in input
order; lines without a result get `response: null` and an `error` whose code
is `batchyard_missing` or `batchyard_pending`. CSV and Parquet flatten each
line to the columns a spreadsheet wants: the text answer (or the embedding),
the status, the error, and the tokens. Writers stream; Parquet in row groups.
"""

from __future__ import annotations

import base64
import csv
import struct
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from batchyard.client.errors import ToolkitError, require_pyarrow

COLUMNS = (
    "custom_id",
    "status",  # ok | error | missing | pending
    "status_code",
    "content",
    "embedding",
    "error_code",
    "error_message",
    "input_tokens",
    "output_tokens",
)
_GROUP_ROWS = 10_000


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def classify(line: dict[str, Any]) -> tuple[bool, str | None, int, int]:
    """(ok, error code, input tokens, output tokens) of one output or error line."""
    response = _dict(line.get("response"))
    error = line.get("error")
    status = response.get("status_code")
    body = _dict(response.get("body"))
    usage = _dict(body.get("usage"))
    tokens_in = int(usage.get("prompt_tokens", usage.get("input_tokens", 0)) or 0)
    tokens_out = int(usage.get("completion_tokens", usage.get("output_tokens", 0)) or 0)
    if error is None and isinstance(status, int) and 200 <= status < 300:
        return True, None, tokens_in, tokens_out
    code = _dict(error).get("code")
    if code is None:
        code = _dict(body.get("error")).get("code")
    if code is None and status is not None:
        code = str(status)
    return False, str(code) if code is not None else "unknown", tokens_in, tokens_out


def missing_line(custom_id: str, code: str, message: str) -> bytes:
    return orjson.dumps(
        {
            "id": None,
            "custom_id": custom_id,
            "response": None,
            "error": {"code": code, "message": message},
        }
    )


def flatten(line: dict[str, Any], status: str) -> dict[str, Any]:
    """The CSV/Parquet row of one merged line."""
    response = _dict(line.get("response"))
    body = _dict(response.get("body"))
    error = _dict(line.get("error")) or _dict(body.get("error"))
    _, _, tokens_in, tokens_out = classify(line)
    return {
        "custom_id": line.get("custom_id"),
        "status": status,
        "status_code": response.get("status_code"),
        "content": _content(body) if status == "ok" else None,
        "embedding": _embedding(body) if status == "ok" else None,
        "error_code": error.get("code"),
        "error_message": error.get("message"),
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
    }


def _content(body: dict[str, Any]) -> str | None:
    """The answer's text, for every text endpoint (first choice); moderations as JSON."""
    choices = body.get("choices")
    if isinstance(choices, list) and choices:
        first = _dict(choices[0])
        message = first.get("message")
        text = _dict(message).get("content") if isinstance(message, dict) else first.get("text")
        return text if isinstance(text, str) else None
    if body.get("object") == "response":
        texts = [
            part.get("text", "")
            for item in body.get("output") or []
            if item.get("type") == "message"
            for part in item.get("content") or []
            if part.get("type") == "output_text"
        ]
        return "".join(texts)
    if "results" in body:
        return orjson.dumps(body["results"]).decode()
    return None


def _embedding(body: dict[str, Any]) -> list[float] | None:
    data = body.get("data")
    if body.get("object") != "list" or not isinstance(data, list) or not data:
        return None
    vector = data[0].get("embedding")
    if isinstance(vector, str):  # encoding_format=base64: little-endian float32
        raw = base64.b64decode(vector)
        return list(struct.unpack(f"<{len(raw) // 4}f", raw))
    return vector if isinstance(vector, list) else None


class Writer(Protocol):
    def write(self, line: bytes, status: str) -> None: ...
    def close(self) -> None: ...


class JsonlWriter:
    def __init__(self, path: Path) -> None:
        self.file: IO[bytes] = open(path, "wb")  # noqa: SIM115 - closed by close()

    def write(self, line: bytes, status: str) -> None:
        self.file.write(line + b"\n")

    def close(self) -> None:
        self.file.close()


class CsvWriter:
    def __init__(self, path: Path) -> None:
        self.file: IO[str] = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.csv = csv.DictWriter(self.file, fieldnames=COLUMNS)
        self.csv.writeheader()

    def write(self, line: bytes, status: str) -> None:
        row = flatten(orjson.loads(line), status)
        if row["embedding"] is not None:
            row["embedding"] = orjson.dumps(row["embedding"]).decode()
        self.csv.writerow(row)

    def close(self) -> None:
        self.file.close()


class ParquetWriter:
    def __init__(self, path: Path) -> None:
        pa, pq = require_pyarrow("write Parquet results")
        self.pa = pa
        self.schema = pa.schema(
            [
                ("custom_id", pa.string()),
                ("status", pa.string()),
                ("status_code", pa.int32()),
                ("content", pa.string()),
                ("embedding", pa.list_(pa.float32())),
                ("error_code", pa.string()),
                ("error_message", pa.string()),
                ("input_tokens", pa.int64()),
                ("output_tokens", pa.int64()),
            ]
        )
        self.writer = pq.ParquetWriter(path, self.schema)
        self.rows: list[dict[str, Any]] = []

    def write(self, line: bytes, status: str) -> None:
        self.rows.append(flatten(orjson.loads(line), status))
        if len(self.rows) >= _GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.writer.write_table(self.pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


def open_writer(path: Path, fmt: str | None = None) -> Writer:
    kind = fmt or path.suffix.lstrip(".").lower()
    if kind in ("jsonl", "ndjson"):
        return JsonlWriter(path)
    if kind == "csv":
        return CsvWriter(path)
    if kind == "parquet":
        return ParquetWriter(path)
    raise ToolkitError(f"{path}: cannot tell the format; end it in .jsonl, .csv or .parquet")
