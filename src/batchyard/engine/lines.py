"""Result lines: the one place that knows how an output or error line is shaped.

A line of the output or the error file is OpenAI's `BatchRequestOutput`:
`{"id", "custom_id", "response", "error"}`. The runner writes one for every
answer it journals, and the finalizer one for every line that never ran
(cancelled, expired, stopped); both build them here, as they read a shard's
request lines here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from batchyard import ids
from batchyard.backends import Request, Result
from batchyard.blobs import BlobStore
from batchyard.records import ShardRecord, Usage

# A request line of a shard: its 1-based line number in the input file, and the request.
Line = tuple[int, Request]


def usage_of(body: dict[str, Any]) -> Usage:
    """Token counts from any endpoint's `usage` (chat's or responses' names)."""
    usage = body.get("usage")
    if not isinstance(usage, dict):
        return Usage()
    details_in = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
    details_out = usage.get("completion_tokens_details") or usage.get("output_tokens_details") or {}
    return Usage(
        input_tokens=int(usage.get("prompt_tokens", usage.get("input_tokens", 0)) or 0),
        output_tokens=int(usage.get("completion_tokens", usage.get("output_tokens", 0)) or 0),
        cached_tokens=int(details_in.get("cached_tokens", 0) or 0),
        reasoning_tokens=int(details_out.get("reasoning_tokens", 0) or 0),
    )


def error_line(custom_id: str, code: str, message: str) -> bytes:
    """An error-file line for a request that got no HTTP answer (or never ran)."""
    record = {
        "id": ids.batch_request_id(),
        "custom_id": custom_id,
        "response": None,
        "error": {"code": code, "message": message},
    }
    return orjson.dumps(record)


def result_line(custom_id: str, result: Result) -> bytes:
    """The output- or error-file line for a backend's final answer to one request."""
    if result.status_code == 0:
        error = result.body.get("error") or {}
        return error_line(
            custom_id,
            error.get("code") or "upstream_error",
            error.get("message") or "The upstream did not answer.",
        )
    record = {
        "id": ids.batch_request_id(),
        "custom_id": custom_id,
        "response": {
            "status_code": result.status_code,
            "request_id": result.request_id,
            "body": result.body,
        },
        "error": None,
    }
    return orjson.dumps(record)


def shard_lines(blobs: BlobStore, key: str, shard: ShardRecord) -> Iterator[tuple[int, bytes]]:
    """The shard's raw request lines with their 1-based numbers, split as the validator does."""
    with blobs.reader(key, shard.start, shard.end) as fh:
        data = fh.read()
    for number, raw in enumerate(data.split(b"\n"), start=shard.first_line):
        if raw.strip():
            yield number, raw


def pending_requests(
    blobs: BlobStore, key: str, shard: ShardRecord, endpoint: str, skip: set[int]
) -> list[Line]:
    """The shard's requests that have no durable result yet (their numbers not in `skip`)."""
    lines: list[Line] = []
    for number, raw in shard_lines(blobs, key, shard):
        if number not in skip:
            item = orjson.loads(raw)
            lines.append((number, Request(endpoint, item["body"], item["custom_id"])))
    return lines


def custom_id_of(raw: bytes) -> str:
    """The custom_id of a raw request line (validated before it was stored)."""
    custom_id: str = orjson.loads(raw)["custom_id"]
    return custom_id
