"""Per-project quotas and default retention from config: 429s in OpenAI's envelope.

The app reads `settings.policy(project)` on every request, so each test sets the
policy it needs on the live server's settings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import openai
import pytest
from openai import OpenAI

from batchyard.config import ProjectPolicy
from batchyard.records import ShardRecord

from .support import LINE, OWNER, LiveServer, assert_error, complete_batch, create_batch, upload
from .test_uploads import END, MULTIPART, part

ROOM = 4 * len(LINE)


def limit(server: LiveServer, **values: int) -> None:
    server.settings.project_defaults = ProjectPolicy(**values)


def test_storage_quota_refuses_what_does_not_fit(client: OpenAI, server: LiveServer) -> None:
    limit(server, max_stored_bytes=ROOM)
    first = upload(client, LINE * 3)
    with pytest.raises(openai.RateLimitError) as exc:
        upload(client, LINE * 2)
    assert (exc.value.code, exc.value.type) == ("storage_quota_exceeded", "invalid_request_error")
    assert exc.value.response.headers["x-should-retry"] == "false"
    assert f"{3 * len(LINE):,} bytes are stored" in exc.value.message
    assert f"the limit is {ROOM:,} bytes" in exc.value.message
    assert server.blob_names() == [first.id]
    assert upload(client, LINE).bytes == len(LINE)  # exactly fills the quota
    client.files.delete(first.id)
    assert upload(client, LINE * 3).bytes == 3 * len(LINE)


def test_storage_quota_is_enforced_while_streaming(raw: httpx.Client, server: LiveServer) -> None:
    limit(server, max_stored_bytes=ROOM)

    def chunked() -> Iterator[bytes]:  # no Content-Length: only the stream can tell
        yield part("purpose", b"batch")
        yield part("file", LINE * 8, "big.jsonl")
        yield END

    response = raw.post("/v1/files", content=chunked(), headers={"content-type": MULTIPART})
    assert "content-length" not in response.request.headers
    assert_error(response, 429, code="storage_quota_exceeded", param="file")
    # Under the size cap, but past the quota by more than the form's overhead: refused
    # from its Content-Length, before reading.
    declared = raw.post(
        "/v1/files",
        content=part("purpose", b"user_data") + part("file", b"x" * 100_000, "big.bin") + END,
        headers={"content-type": MULTIPART},
    )
    assert_error(declared, 429, code="storage_quota_exceeded")
    assert server.blob_names() == []


def test_a_projects_own_values_override_the_defaults(server: LiveServer) -> None:
    server.settings.projects = {"small": ProjectPolicy(max_stored_bytes=len(LINE))}
    now = int(time.time())
    small = server.store.keys.create("small", now)[1]
    big = server.store.keys.create("big", now)[1]
    with OpenAI(base_url=server.base_url, api_key=small, max_retries=0) as client:
        upload(client)
        with pytest.raises(openai.RateLimitError):
            upload(client)
    with OpenAI(base_url=server.base_url, api_key=big, max_retries=0) as client:
        for _ in range(3):
            upload(client)


def test_active_batch_limit(client: OpenAI, server: LiveServer) -> None:
    limit(server, max_active_batches=2)
    first = create_batch(client)
    create_batch(client)
    with pytest.raises(openai.RateLimitError) as exc:
        create_batch(client)
    assert (exc.value.code, exc.value.type) == ("active_batch_limit_exceeded", "rate_limit_error")
    assert exc.value.response.headers["x-should-retry"] == "false"
    assert "has 2 batches that have not ended" in exc.value.message
    assert len(client.batches.list().data) == 2
    complete_batch(server.store, first.id)
    create_batch(client)


def test_enqueued_line_limit_at_create(client: OpenAI, server: LiveServer) -> None:
    limit(server, max_enqueued_lines=5)
    running = create_batch(client)
    store, now = server.store, int(time.time())
    assert store.claim_validation(OWNER, now, 30) is not None
    shard = ShardRecord(running.id, 0, 1, 5, 0, 5 * len(LINE), 5)
    store.start_batch(running.id, OWNER, "batchyard-mock", [shard], now)
    with pytest.raises(openai.RateLimitError) as exc:
        create_batch(client)
    assert exc.value.code == "enqueued_line_limit_exceeded"
    assert "Limit: 5 enqueued lines" in exc.value.message
    client.batches.cancel(running.id)  # a stopping batch runs no more lines
    create_batch(client)


def test_quota_errors_are_never_retried_by_the_sdk(server: LiveServer) -> None:
    limit(server, max_active_batches=1)
    with OpenAI(base_url=server.base_url, api_key="k", max_retries=2) as client:
        create_batch(client)
        started = time.monotonic()
        with pytest.raises(openai.RateLimitError):
            create_batch(client)
        assert time.monotonic() - started < 0.4  # two retries would wait >= 0.5 s


@pytest.mark.parametrize("purpose", ["batch", "user_data"])
def test_default_file_retention_applies_when_the_client_sets_none(
    client: OpenAI, server: LiveServer, purpose: str
) -> None:
    limit(server, file_retention_seconds=600)
    f = upload(client, purpose=purpose)
    assert f.expires_at == f.created_at + 600
    asked = upload(client, purpose=purpose, expires_after={"anchor": "created_at", "seconds": 7200})
    assert asked.expires_at == asked.created_at + 7200
