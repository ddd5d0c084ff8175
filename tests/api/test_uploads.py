"""Malformed and oversized uploads: always a 4xx envelope, nothing left on disk, server up."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import httpx
import openai
import pytest
from openai import OpenAI

from .support import (
    LINE,
    MAX_BATCH_FILE_BYTES,
    MAX_UPLOAD_BYTES,
    LiveServer,
    assert_error,
    upload,
)

BOUNDARY = "b0undary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def jsonl(size: int) -> bytes:
    """Valid-looking JSONL of exactly `size` bytes."""
    lines = LINE * (size // len(LINE) + 1)
    return lines[:size]


def part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
    return head + value + b"\r\n"


END = f"--{BOUNDARY}--\r\n".encode()


@pytest.fixture(autouse=True)
def _server_survives(server: LiveServer, raw: httpx.Client) -> Iterator[None]:
    yield
    assert raw.get("/health").json() == {"status": "ok"}
    assert server.blob_names() == [f.id for f in server.store.list_files("default")[0]]


def test_batch_file_at_the_cap_is_accepted(client: OpenAI) -> None:
    assert upload(client, jsonl(MAX_BATCH_FILE_BYTES)).bytes == MAX_BATCH_FILE_BYTES


def test_batch_file_over_its_cap_is_413(client: OpenAI) -> None:
    with pytest.raises(openai.APIStatusError) as exc:
        upload(client, jsonl(MAX_BATCH_FILE_BYTES + 1))
    assert exc.value.status_code == 413
    assert (exc.value.code, exc.value.param) == ("file_too_large", "file")


def test_other_purposes_use_the_general_cap(client: OpenAI) -> None:
    assert upload(client, b"x" * MAX_UPLOAD_BYTES, "big.bin", purpose="user_data").bytes == (
        MAX_UPLOAD_BYTES
    )
    with pytest.raises(openai.APIStatusError) as exc:
        upload(client, b"x" * (MAX_UPLOAD_BYTES + 1), "big.bin", purpose="user_data")
    assert exc.value.status_code == 413


def test_far_over_the_cap_still_gets_the_413(client: OpenAI) -> None:
    """uvicorn reads and drops the rest of the body, so the client sees the answer."""
    with pytest.raises(openai.APIStatusError) as exc:
        upload(client, os.urandom(32 * 1024 * 1024), "big.bin", purpose="vision")
    assert exc.value.status_code == 413


def test_batch_cap_applies_when_purpose_follows_the_file(raw: httpx.Client) -> None:
    body = part("file", jsonl(MAX_BATCH_FILE_BYTES + 1), "late.jsonl") + part("purpose", b"batch")
    response = raw.post("/v1/files", content=body + END, headers={"content-type": MULTIPART})
    assert_error(response, 413, code="file_too_large")


def test_huge_content_length_is_refused_before_reading(server: LiveServer) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/files HTTP/1.1\r\nHost: x\r\n"
            + f"Content-Type: {MULTIPART}\r\nContent-Length: {100 * 2**30}\r\n\r\n".encode()
            + part("purpose", b"batch")
        )
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert b"x-request-id: req_" in head
    assert b'"code":"file_too_large"' in body
    caps = f"{MAX_UPLOAD_BYTES:,} bytes, and {MAX_BATCH_FILE_BYTES:,} bytes for a batch input file"
    assert caps.encode() in body  # the purpose is unread yet: both caps, the batch one named


def test_a_batch_file_over_its_cap_is_told_the_batch_cap(client: OpenAI) -> None:
    with pytest.raises(openai.APIStatusError) as exc:
        upload(client, jsonl(MAX_BATCH_FILE_BYTES + 1))
    assert f"the limit is {MAX_BATCH_FILE_BYTES:,} bytes" in exc.value.message


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"purpose": "batch"}'),
        ("text/plain", b"purpose=batch"),
        ("application/x-www-form-urlencoded", b"purpose=batch"),
        ("application/octet-stream", LINE),
        (None, LINE),
        ("multipart/form-data", part("purpose", b"batch") + END),
        ("multipart/form-data; boundary=", part("purpose", b"batch") + END),
    ],
)
def test_wrong_content_types_and_missing_boundary(
    raw: httpx.Client, content_type: str | None, body: bytes
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = raw.post("/v1/files", content=body, headers=headers)
    assert_error(response, 400)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(os.urandom(8192), id="binary-garbage"),
        pytest.param(b"--b0undary\r\nno headers here", id="truncated-headers"),
        pytest.param(part("purpose", b"batch") + part("file", LINE, "a.jsonl"), id="no-end"),
        pytest.param(b"--b0undary\r\n\r\nvalue\r\n" + END, id="part-without-name"),
        pytest.param(
            part("purpose", b"batch")
            + part("file", LINE, "a.jsonl")
            + part("file", LINE, "b.jsonl")
            + END,
            id="two-files",
        ),
        pytest.param(part("purpose", b"b" * 70_000) + END, id="huge-field"),
        pytest.param(b"".join(part(f"f{i}", b"v") for i in range(65)) + END, id="many-fields"),
        pytest.param(
            b"--b0undary\r\nX-Long: " + b"h" * 20_000 + b"\r\n\r\nv\r\n" + END, id="long-header"
        ),
    ],
)
def test_malformed_multipart_is_400(raw: httpx.Client, body: bytes) -> None:
    response = raw.post("/v1/files", content=body, headers={"content-type": MULTIPART})
    assert_error(response, 400)
