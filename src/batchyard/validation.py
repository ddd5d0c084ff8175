"""Check a batch input file in one streaming pass, before any of its lines runs.

Shared by the server (when a batch is created) and `batchyard validate FILE`, so
both report the same errors. The file is read in 256 KiB chunks; the only state
that grows with it is one 8-byte hash of each custom_id, which finds duplicates
without holding the ids. Only when two hashes repeat is the file read again, to
confirm the duplicates and name their lines.

Past the size guide on purpose: about a third of it is the table below, and the
rest is one hot loop (reader, first pass, duplicate search) whose parts share
its state; bench/validate.py measures it, and splitting it would put the loop's
locals behind module lookups.

Codes ("O": OpenAI's, as observed; "H": house rule where OpenAI's is unknown).
docs/validation-codes.md lists every message.

| code                       | param           | when                                    | src |
|----------------------------|-----------------|-----------------------------------------|-----|
| invalid_json_line          | null            | not JSON, not an object, bad UTF-8, or  | O/H |
|                            |                 | a UTF-8 BOM opening line 1              |     |
| missing_required_parameter | custom_id,      | field absent or null; one error each    | O   |
|                            | method,url,body |                                         |     |
| invalid_type               | custom_id,body, | not a non-empty string / not an object  | H   |
|                            | body.model      | / not a string                          |     |
| invalid_method             | method          | not "POST"                              | H   |
| invalid_url                | url             | not the batch's endpoint                | O   |
| invalid_request            | body.model,     | absent or null (endpoint fields:        | O/H |
|                            | body.<field>    | REQUIRED_BODY_FIELDS)                   |     |
| model_not_found            | body.model      | not configured (skipped if models=None) | O   |
| mismatched_model           | body.model      | differs from the file's first model     | H   |
| streaming_unsupported      | body.stream     | body.stream is true                     | O   |
| duplicate_custom_id        | custom_id       | each later line reusing a custom_id     | H   |
| too_many_requests          | null            | line = first request over the limit;    | H   |
|                            |                 | reading stops                           |     |
| file_too_large             | null            | line null; reading stops; lines wholly  | H   |
|                            |                 | inside the limit are still checked      |     |
| empty_file                 | null            | line null; no request lines             | H   |

Order: errors without a line first, then by line; on one line by field (custom_id,
method, url, body, body.model, body.stream, body.<field>), duplicate_custom_id last.
`too_many_requests` and `file_too_large` are always kept; `max_validation_errors`
caps the others, and `omitted_errors` counts what the cap dropped.
"""

from __future__ import annotations

import hashlib
import heapq
import os
from array import array
from collections.abc import Callable, Collection, Container, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from itertools import islice, pairwise
from typing import Any, BinaryIO

import orjson

from batchyard.config import Limits
from batchyard.endpoints import BATCH_ENDPOINTS, REQUIRED_BODY_FIELDS
from batchyard.errors import clip_echo, known_models, wrong_type_message
from batchyard.records import LineError, LineSpan

# Reads cost nothing next to parsing at this size, and a chunk stays in cache
# while its lines are parsed: 256 KiB ran ~5% faster than 1 MiB or 64 KiB here
# (bench/validate.py sweeps 64 KiB to 4 MiB).
CHUNK_BYTES = 256 * 1024

_BOM = b"\xef\xbb\xbf"
_OPEN_BRACE = ord("{")
_NO_ID = 0  # hash slot of a line without a usable custom_id; real hashes never take it

_NOT_JSON = "This line is not parseable as valid JSON."
_NOT_OBJECT = "This line is not a JSON object."
_NOT_UTF8 = "This line is not valid UTF-8. The file must be saved as UTF-8."
_URL_MISMATCH = "The URL provided for this request does not match the batch endpoint."
_STREAMING = "Streaming is not supported in the Batch API."
_HAS_BOM = (
    "The file starts with a UTF-8 byte order mark (BOM); it must be saved as UTF-8 without BOM."
)


@dataclass
class ValidationReport:
    """What one pass found. `shards` and `model` are only meaningful when `ok`."""

    errors: list[LineError]  # at most limits.max_validation_errors, in line order
    omitted_errors: int  # errors found beyond that cap
    requests: int  # non-blank lines checked
    bytes: int  # the file's size, or where checking stopped (see validate_batch_file)
    model: str | None
    shards: list[LineSpan]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.omitted_errors


def _hash_custom_id(custom_id: str) -> int:
    """A 64-bit hash that is the same in both passes (and across processes)."""
    digest = hashlib.blake2b(custom_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


# And errors.data holds at most this many bytes of messages; the rest are counted
# in omitted_errors, as the `max_validation_errors` cap counts them.
ERRORS_MAX_BYTES = 256 * 1024


def _quoted(value: object) -> str:
    """Strings as they are, anything else as JSON, for messages that quote a value."""
    return clip_echo(value if isinstance(value, str) else orjson.dumps(value).decode())


# What a file that is not UTF-8 JSONL often is instead, by its first bytes.
_FOREIGN_FORMATS = (
    (b"\x1f\x8b", "gzip-compressed; decompress it and upload the JSONL"),
    (b"PK\x03\x04", "a zip archive; extract the JSONL file and upload that"),
    (b"\xff\xfe", "UTF-16 (little-endian); save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 (big-endian); save it as UTF-8"),
    (b"{\x00", "UTF-16 (little-endian); save it as UTF-8"),
    (b"\x00{", "UTF-16 (big-endian); save it as UTF-8"),
)


def _foreign_format(line: bytes | memoryview) -> str | None:
    """The message for a file whose first bytes say it is not UTF-8 JSONL, else None."""
    head = bytes(line[:4])
    for magic, what in _FOREIGN_FORMATS:
        if head.startswith(magic):
            return (
                f"The file is {what}. A batch file must be UTF-8 JSONL. Nothing else was checked."
            )
    return None


def _unparseable_message(line: bytes | memoryview) -> str:
    """Name bad UTF-8 apart from bad JSON: the fix (re-save the file) differs."""
    try:
        bytes(line).decode("utf-8")
    except UnicodeDecodeError:
        return _NOT_UTF8
    return _NOT_JSON


class _Errors:
    """Keeps the first `cap` errors in the order added and counts the rest."""

    __slots__ = ("cap", "kept", "omitted")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.kept: list[LineError] = []
        self.omitted = 0

    def add(self, code: str, message: str, param: str | None, line: int) -> None:
        if len(self.kept) < self.cap:
            self.kept.append(LineError(code, message, param, line))
        else:
            self.omitted += 1

    @property
    def found(self) -> int:
        return len(self.kept) + self.omitted


class _Reader:
    """Splits a binary stream into lines itself, counting bytes and stopping at the limit.

    `bytes.split` scans byte by byte; `find` uses memchr, and memoryview slices
    hand orjson each line without copying it.
    """

    __slots__ = ("bytes_read", "file", "max_bytes", "too_large")

    def __init__(self, file: BinaryIO, max_bytes: int) -> None:
        self.file = file
        self.max_bytes = max_bytes
        self.bytes_read = 0
        self.too_large = False  # set only once every line inside the limit was yielded

    def __iter__(self) -> Iterator[tuple[int, int, bytes | memoryview]]:
        """Yield (line number, byte offset, content without newline) of non-blank lines."""
        line_no = 0
        base = 0  # file offset of chunk[0]
        pending: list[bytes] = []  # pieces of a line that runs across chunks
        pending_start = 0
        while chunk := self.file.read(CHUNK_BYTES):
            self.bytes_read += len(chunk)
            over = self.bytes_read - self.max_bytes
            if over > 0:
                chunk = chunk[: len(chunk) - over]
            find = chunk.find
            view = memoryview(chunk)
            pos = 0
            if pending:
                end = find(b"\n")
                if end >= 0:
                    pending.append(chunk[:end])
                    line = b"".join(pending)
                    pending = []
                    line_no += 1
                    if line and not line.isspace():
                        yield line_no, pending_start, line
                    pos = end + 1
                else:
                    pending.append(chunk)
                    pos = len(chunk)
            while (end := find(b"\n", pos)) >= 0:
                line_no += 1
                if end > pos and (chunk[pos] == _OPEN_BRACE or not chunk[pos:end].isspace()):
                    yield line_no, base + pos, view[pos:end]
                pos = end + 1
            if pos < len(chunk):
                pending = [chunk[pos:]]
                pending_start = base + pos
            base += len(chunk)
            if over > 0:
                self.too_large = True
                return
        line = b"".join(pending)
        if line and not line.isspace():
            yield line_no + 1, pending_start, line


class _FirstPass:
    """Checks every request line; keeps one hash per line for the duplicate search."""

    def __init__(
        self,
        endpoint: str,
        limits: Limits,
        models: Container[str] | None,
        shard_lines: int,
    ) -> None:
        self.endpoint = endpoint
        self.models = models
        self.max_requests = limits.max_requests_per_batch
        self.shard_lines = shard_lines
        self.required = REQUIRED_BODY_FIELDS.get(endpoint)
        self.errors = _Errors(limits.max_validation_errors)
        self.hashes = array("q")
        self.model: str | None = None
        self.shards: list[LineSpan] = []
        self.too_many_at: int | None = None  # line of the first request over the limit
        self.too_many_offset = 0  # and its byte offset

    def run(self, lines: _Reader) -> None:
        loads = orjson.loads
        decode_error = orjson.JSONDecodeError
        add = self.errors.add
        hashes = self.hashes
        hash_id = _hash_custom_id
        shard_lines = self.shard_lines
        max_requests = self.max_requests
        requests = 0
        # The shard being built: lines, first line and offset, last line's end.
        in_shard = shard_first = shard_start = shard_last = shard_end = 0
        for line_no, start, line in lines:
            if requests == max_requests:
                self.too_many_at, self.too_many_offset = line_no, start
                break
            requests += 1
            if not in_shard:
                shard_first, shard_start = line_no, start
            in_shard += 1
            shard_last, shard_end = line_no, start + len(line) + 1
            if in_shard == shard_lines:
                self._cut(
                    shard_first, shard_last, shard_start, shard_end, in_shard, lines.bytes_read
                )
                in_shard = 0

            if line_no == 1 and (foreign := _foreign_format(line)) is not None:
                # A compressed or UTF-16 file is not lines of JSON at all: say what it is,
                # once, instead of one "not JSON" per chance newline byte in it.
                add("invalid_json_line", foreign, None, 1)
                hashes.append(_NO_ID)
                break
            if line_no == 1 and line[:3] == _BOM:
                add("invalid_json_line", _HAS_BOM, None, 1)
                hashes.append(_NO_ID)
                continue
            try:
                obj = loads(line)
            except decode_error:
                add("invalid_json_line", _unparseable_message(line), None, line_no)
                hashes.append(_NO_ID)
                continue
            if type(obj) is not dict:
                add("invalid_json_line", _NOT_OBJECT, None, line_no)
                hashes.append(_NO_ID)
                continue
            custom_id = self._check(obj, line_no)
            hashes.append(_NO_ID if custom_id is None else (hash_id(custom_id) or 1))
        if in_shard:
            self._cut(shard_first, shard_last, shard_start, shard_end, in_shard, lines.bytes_read)

    def _cut(
        self, first: int, last: int, start: int, end: int, requests: int, bytes_read: int
    ) -> None:
        # A last line without a newline ends at the end of the file, not one past it.
        self.shards.append(LineSpan(first, last, start, min(end, bytes_read), requests))

    def _check(self, obj: dict[str, Any], line_no: int) -> str | None:
        """Add this line's errors; return its custom_id when it is usable."""
        add = self.errors.add
        custom_id = obj.get("custom_id")
        method = obj.get("method")
        url = obj.get("url")
        body = obj.get("body")
        if custom_id is None:
            add("missing_required_parameter", _missing("custom_id"), "custom_id", line_no)
        elif type(custom_id) is not str or not custom_id:
            message = wrong_type_message("custom_id", "a non-empty string", custom_id)
            add("invalid_type", message, "custom_id", line_no)
            custom_id = None
        if method is None:
            add("missing_required_parameter", _missing("method"), "method", line_no)
        elif method != "POST":
            message = f"Only POST is supported; got '{_quoted(method)}'."
            add("invalid_method", message, "method", line_no)
        if url is None:
            add("missing_required_parameter", _missing("url"), "url", line_no)
        elif url != self.endpoint:
            add("invalid_url", _URL_MISMATCH, "url", line_no)
        if body is None:
            add("missing_required_parameter", _missing("body"), "body", line_no)
        elif type(body) is not dict:
            add("invalid_type", wrong_type_message("body", "an object", body), "body", line_no)
        else:
            self._check_body(body, line_no)
        return custom_id

    def _check_body(self, body: dict[str, Any], line_no: int) -> None:
        add = self.errors.add
        model = body.get("model")
        if model is None:
            add("invalid_request", "Model parameter is required.", "body.model", line_no)
        elif type(model) is not str:
            add(
                "invalid_type",
                wrong_type_message("body.model", "a string", model),
                "body.model",
                line_no,
            )
        else:
            if self.model is None:
                self.model = model
            if self.models is not None and model not in self.models:
                message = (
                    f"The provided model '{clip_echo(model)}' is not supported by the Batch API."
                )
                if isinstance(self.models, Collection):
                    message += " " + known_models(self.models)
                add("model_not_found", message, "body.model", line_no)
            elif model != self.model:
                message = (
                    f"The model '{clip_echo(model)}' for this request does not match the rest "
                    "of the batch. Each batch must contain requests for a single model."
                )
                add("mismatched_model", message, "body.model", line_no)
        if body.get("stream") is True:
            add("streaming_unsupported", _STREAMING, "body.stream", line_no)
        if self.required is not None and body.get(self.required[0]) is None:
            add("invalid_request", self.required[1], f"body.{self.required[0]}", line_no)


def _missing(name: str) -> str:
    return f"Missing required parameter: '{name}'."


_BUCKET_BITS = 5


def _repeated(hashes: array[int]) -> set[int]:
    """Hash values that occur more than once.

    Sorting all hashes at once would build a Python int per line (~40 bytes each);
    sorting 32 buckets one at a time, each a compact array, keeps the extra memory
    near 10 bytes per line.
    """
    buckets = [array("q") for _ in range(1 << _BUCKET_BITS)]
    shift = 64 - _BUCKET_BITS
    for value in hashes:
        buckets[(value >> shift) & ((1 << _BUCKET_BITS) - 1)].append(value)
    repeated: set[int] = set()
    for bucket in buckets:
        repeated.update(a for a, b in pairwise(sorted(bucket)) if a == b and a != _NO_ID)
        del bucket[:]
    return repeated


def _find_duplicates(
    lines: _Reader, hashes: array[int], colliding: set[int], errors: _Errors
) -> None:
    """Second pass: re-read only the lines whose hash collided, compare the real ids."""
    first_line: dict[str, int] = {}
    for index, (line_no, _, line) in enumerate(lines):
        if index == len(hashes):  # pass one stopped here (too many requests)
            break
        if hashes[index] not in colliding:
            continue
        custom_id: str = orjson.loads(line)["custom_id"]
        if custom_id in first_line:
            errors.add(
                "duplicate_custom_id",
                f"The custom_id '{clip_echo(custom_id)}' for this request is a duplicate of "
                "another request. The custom_id parameter must be unique for each request "
                "in a batch.",
                "custom_id",
                line_no,
            )
        else:
            first_line[custom_id] = line_no


def validate_batch_file(
    open_file: Callable[[], AbstractContextManager[BinaryIO]],
    *,
    endpoint: str,
    limits: Limits,
    models: Container[str] | None,
    shard_lines: int = 1000,
) -> ValidationReport:
    """Check a batch input file against `endpoint` and `limits`.

    `open_file` is called once, and a second time only when two custom_id
    hashes collide. `models=None` skips the model-existence check (the CLI
    checking a file for a remote server). Errors never raise; a bad endpoint or
    `shard_lines` is the caller's bug and raises `ValueError`.

    When a limit stops the pass, `requests`, `shards` and `bytes` describe what
    was checked: for too many requests, up to the first line over (its offset is
    `bytes`); for a file too large, the lines wholly inside the first
    `max_batch_file_bytes` bytes (which is then `bytes`).
    """
    if endpoint not in BATCH_ENDPOINTS:
        raise ValueError(f"unknown batch endpoint {endpoint!r}")
    if shard_lines < 1:
        raise ValueError("shard_lines must be at least 1")

    first = _FirstPass(endpoint, limits, models, shard_lines)
    with open_file() as file:
        reader = _Reader(file, limits.max_batch_file_bytes)
        first.run(reader)

    duplicates = _Errors(limits.max_validation_errors)
    colliding = _repeated(first.hashes)
    if colliding:
        with open_file() as file:
            _find_duplicates(
                _Reader(file, limits.max_batch_file_bytes), first.hashes, colliding, duplicates
            )

    head: list[LineError] = []
    tail: list[LineError] = []
    checked = reader.bytes_read
    if reader.too_large:
        checked = limits.max_batch_file_bytes
        head.append(
            LineError(
                "file_too_large",
                "File is too large. The batch input file is larger than the "
                f"{limits.max_batch_file_bytes} byte maximum.",
            )
        )
    elif not first.hashes:
        head.append(
            LineError(
                "empty_file",
                "The input file is empty. Please ensure that the batch contains at least one "
                "request.",
            )
        )
    if first.too_many_at is not None:
        checked = first.too_many_offset
        limit = limits.max_requests_per_batch
        tail.append(
            LineError(
                "too_many_requests",
                f"The batch has more than {limit:,} requests; the limit is {limit:,} per batch "
                "(a server's [limits] max_requests_per_batch; `batchyard split` cuts a file).",
                line=first.too_many_at,
            )
        )
    budget = max(limits.max_validation_errors - len(head) - len(tail), 0)
    by_line = heapq.merge(first.errors.kept, duplicates.kept, key=lambda e: e.line or 0)
    kept = _within_bytes(islice(by_line, budget), ERRORS_MAX_BYTES)
    return ValidationReport(
        errors=head + kept + tail,
        omitted_errors=first.errors.found + duplicates.found - len(kept),
        requests=len(first.hashes),
        bytes=checked,
        model=first.model,
        shards=first.shards,
    )


def _within_bytes(errors: Iterator[LineError], max_bytes: int) -> list[LineError]:
    """The leading errors whose messages fit in `max_bytes` (JSON overhead counted)."""
    kept: list[LineError] = []
    used = 0
    for error in errors:
        used += len(error.message) + len(error.code) + len(error.param or "") + 64
        if used > max_bytes:
            break
        kept.append(error)
    return kept


def validate_path(
    path: str | os.PathLike[str],
    *,
    endpoint: str,
    limits: Limits,
    models: Container[str] | None,
    shard_lines: int = 1000,
) -> ValidationReport:
    """`validate_batch_file` for a file on disk."""
    return validate_batch_file(
        lambda: open(path, "rb"),
        endpoint=endpoint,
        limits=limits,
        models=models,
        shard_lines=shard_lines,
    )
