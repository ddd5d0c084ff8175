"""Stream a `multipart/form-data` upload straight into a blob, under a byte cap.

Starlette's `request.form()` spools the whole file before a route sees it; here
the `file` part goes to `BlobStore.writer` chunk by chunk while it arrives, so
memory stays flat and an oversized upload is cut off as soon as it crosses the
cap. The blob is committed only when the caller's `async with` block ends
cleanly, so a rejected upload leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from batchyard.api.errors import wrong_content_type
from batchyard.blobs import BlobStore
from batchyard.errors import APIError, BadRequest, PayloadTooLarge

FILE_FIELD = "file"
# Room for the part headers and boundaries around the file when judging Content-Length.
FORM_OVERHEAD_BYTES = 64 * 1024
_MAX_FIELDS = 64
_MAX_FIELD_BYTES = 64 * 1024
_MAX_HEADER_BYTES = 16 * 1024
_MAX_FILENAME_HINT = 4000  # python-multipart refuses one header line over 4,224 bytes
_WRITE_BYTES = 1024 * 1024  # gather this much before one write, to spare thread hops

# Given the fields seen so far and the file's raw filename: the byte cap, or an APIError.
CapFor = Callable[[Mapping[str, str], str], int]


@dataclass(frozen=True, slots=True)
class Room:
    """What a project's storage quota leaves for this upload, and the error past it."""

    bytes: int
    error: Callable[[int], APIError]  # given the bytes received so far


@dataclass(slots=True)
class Form:
    """The form's text fields, and what was streamed from its `file` part."""

    fields: dict[str, str]
    filename: str | None  # None when the form had no `file` part
    size: int


def too_large(limit: int, batch_limit: int | None = None) -> PayloadTooLarge:
    """`batch_limit`, when the purpose is not known yet: a batch file's own, lower cap."""
    message = f"File is too large: the limit is {limit:,} bytes"
    if batch_limit is not None and batch_limit < limit:
        message += f", and {batch_limit:,} bytes for a batch input file (purpose 'batch')"
    return PayloadTooLarge(message + ".", param="file", code="file_too_large")


def boundary_of(content_type: str | None) -> bytes:
    """The multipart boundary, or a 400 for any other content type."""
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        raise wrong_content_type(content_type, "multipart/form-data")
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadRequest("Invalid multipart/form-data body: the boundary is missing.")
    return boundary


@dataclass(slots=True)
class _Part:
    name: str = ""
    disposition: bytes = b""
    header_name: bytes = b""
    header_value: bytes = b""
    header_bytes: int = 0
    data: bytearray = field(default_factory=bytearray)


class _FormReader:
    """python-multipart's callbacks: text fields in memory, file bytes handed out."""

    def __init__(self, boundary: bytes, cap_for: CapFor, room: Room | None) -> None:
        self.form = Form(fields={}, filename=None, size=0)
        self.ended = False
        self._cap_for = cap_for
        self._room = room
        self._cap = 0
        self._part = _Part()
        self._in_file = False
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )

    def feed(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except FormParserError as exc:
            if "header size" in str(exc):  # python-multipart's cap on one header line
                raise _headers_too_long() from None
            raise BadRequest("Invalid multipart/form-data body.") from None

    def take(self, *, at_least: int = 0) -> bytes:
        """File bytes parsed but not yet written, once there are `at_least` of them."""
        if not self._pending or self._pending_bytes < at_least:
            return b""
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_bytes = 0
        return data

    def _on_part_begin(self) -> None:
        self._part = _Part()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._part.header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._part.header_value += data[start:end]

    def _count_header(self, size: int) -> None:
        self._part.header_bytes += size
        if self._part.header_bytes > _MAX_HEADER_BYTES:
            raise _headers_too_long()

    def _on_header_end(self) -> None:
        if self._part.header_name.strip().lower() == b"content-disposition":
            self._part.disposition = self._part.header_value
        self._part.header_name = self._part.header_value = b""

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._part.disposition)
        if b"name" not in options:
            raise BadRequest("Invalid multipart/form-data body: a part has no name.")
        self._part.name = options[b"name"].decode("utf-8", "replace")
        if self._part.name != FILE_FIELD:
            return
        if self.form.filename is not None:
            raise BadRequest("Only one 'file' may be uploaded per request.", param=FILE_FIELD)
        raw = options.get(b"filename", b"").decode("utf-8", "replace")
        self._cap = self._cap_for(self.form.fields, raw)
        self.form.filename = raw
        self._in_file = True

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.form.size += end - start
            if self.form.size > self._cap:
                raise too_large(self._cap)
            if self._room is not None and self.form.size > self._room.bytes:
                raise self._room.error(self.form.size)
            self._pending.append(data[start:end])
            self._pending_bytes += end - start
            return
        self._part.data += data[start:end]
        if len(self._part.data) > _MAX_FIELD_BYTES:
            raise BadRequest(f"The form field '{self._part.name}' is too long.")

    def _on_part_end(self) -> None:
        if self._in_file:
            self._in_file = False
            return
        if len(self.form.fields) >= _MAX_FIELDS:
            raise BadRequest(f"Too many form fields; at most {_MAX_FIELDS} are accepted.")
        self.form.fields[self._part.name] = self._part.data.decode("utf-8", "replace")

    def _on_end(self) -> None:
        self.ended = True


@asynccontextmanager
async def receive_form(
    request: Request, blobs: BlobStore, key: str, cap_for: CapFor, room: Room | None = None
) -> AsyncIterator[Form]:
    """Parse the request's form, streaming its `file` part into blob `key`.

    `cap_for` is called when the file part starts; it may reject the upload then
    (before its bytes arrive) or set its byte cap. `room`, if given, is a second
    cap with its own error (a storage quota). The blob is kept only if the
    `async with` block exits without an exception.
    """
    reader = _FormReader(boundary_of(request.headers.get("content-type")), cap_for, room)
    writer = blobs.writer(key)
    sink: BinaryIO = await run_in_threadpool(writer.__enter__)
    try:
        await _pump(request, reader, sink)
        yield reader.form
    except BaseException as exc:
        # Discarding is a close and an unlink: done inline, so a cancellation cannot skip it.
        writer.__exit__(type(exc), exc, exc.__traceback__)
        raise
    await run_in_threadpool(writer.__exit__, None, None, None)


async def _pump(request: Request, reader: _FormReader, sink: BinaryIO) -> None:
    async for chunk in request.stream():
        reader.feed(chunk)
        data = reader.take(at_least=_WRITE_BYTES)
        if data:
            await run_in_threadpool(sink.write, data)
    if not reader.ended:
        raise BadRequest("Invalid multipart/form-data body: the closing boundary is missing.")
    data = reader.take()
    if data:
        await run_in_threadpool(sink.write, data)


def _headers_too_long() -> BadRequest:
    """Nearly always a huge filename: say so, rather than call the body malformed."""
    return BadRequest(
        "Invalid multipart/form-data body: a part's headers are too long. The filename "
        f"must be under {_MAX_FILENAME_HINT} characters (names over 255 are shortened).",
        param=FILE_FIELD,
    )
