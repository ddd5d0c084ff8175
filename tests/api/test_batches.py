"""Batch create, retrieve and cancel through the official SDK: §11 B1-B6, X1, X3-X5."""

from __future__ import annotations

import time
from typing import Any

import httpx
import openai
import pytest
from openai import AsyncOpenAI, OpenAI
from openai.types import Batch

from batchyard.records import Usage

from .support import (
    OWNER,
    LiveServer,
    assert_error,
    complete_batch,
    create_batch,
    fail_batch,
    upload,
)

ENDPOINTS = [
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/images/edits",
    "/v1/videos",
]
BODY = {"input_file_id": "file-x", "endpoint": "/v1/embeddings", "completion_window": "24h"}


def test_b1_create_returns_a_validating_batch(client: OpenAI, server: LiveServer) -> None:
    f = upload(client)
    before = int(time.time())
    batch = create_batch(client, f.id, metadata={"team": "search"})
    assert batch.id.startswith("batch_") and len(batch.id) == len("batch_") + 32
    assert (batch.object, batch.status) == ("batch", "validating")
    assert (batch.endpoint, batch.input_file_id) == ("/v1/chat/completions", f.id)
    assert batch.completion_window == "24h"
    assert batch.metadata == {"team": "search"}
    assert batch.request_counts is not None
    assert batch.request_counts.model_dump() == {"total": 0, "completed": 0, "failed": 0}
    assert batch.output_file_id is None and batch.error_file_id is None
    assert batch.errors is None and batch.model is None
    assert batch.created_at >= before
    assert batch.expires_at == batch.created_at + 86400
    assert batch.usage is not None and batch.usage.total_tokens == 0
    assert batch.in_progress_at is None and batch.cancelling_at is None
    assert client.batches.retrieve(batch.id) == batch
    assert len(server.wakes) == 1
    every_key = client.batches.with_raw_response.retrieve(batch.id).http_response.json()
    # OpenAI's 22 fields, and batchyard's own under one extra key (docs/compatibility.md).
    assert set(every_key) - set(Batch.model_fields) == {"batchyard"}
    assert len(every_key) == 23


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_b2_every_endpoint_is_accepted(client: OpenAI, endpoint: str) -> None:
    assert create_batch(client, endpoint=endpoint).endpoint == endpoint


@pytest.mark.parametrize("endpoint", ["/v1/invalid/endpoint", "/v1/chat/completions/", ""])
def test_b2_other_endpoints_are_400(client: OpenAI, endpoint: str) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        create_batch(client, endpoint=endpoint)
    assert (exc.value.code, exc.value.param) == ("invalid_value", "endpoint")
    assert f"Invalid value: '{endpoint}'. Supported values are: " in exc.value.message
    assert all(f"'{e}'" in exc.value.message for e in ENDPOINTS)


@pytest.mark.parametrize("window", ["1h", "48h", "invalid", ""])
def test_b3_completion_window_other_than_24h_is_400(client: OpenAI, window: str) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        create_batch(client, completion_window=window)
    assert "completion_window" in exc.value.message and "'24h'" in exc.value.message
    assert (exc.value.code, exc.value.param) == ("invalid_value", "completion_window")


@pytest.mark.parametrize("name", ["input_file_id", "endpoint", "completion_window"])
def test_b4_missing_required_parameter(raw: httpx.Client, name: str) -> None:
    body = {k: v for k, v in BODY.items() if k != name}
    error = assert_error(
        raw.post("/v1/batches", json=body), 400, code="missing_required_parameter", param=name
    )
    assert error["message"] == f"Missing required parameter: '{name}'."
    assert error["type"] == "invalid_request_error"


def test_b5_metadata_limits(client: OpenAI) -> None:
    sixteen = {f"k{i}": "v" for i in range(16)}
    assert create_batch(client, metadata=sixteen).metadata == sixteen
    longest = {"k" * 64: "v" * 512}
    assert create_batch(client, metadata=longest).metadata == longest
    assert create_batch(client, metadata=None).metadata is None

    cases: list[tuple[dict[str, Any], str, str]] = [
        ({f"k{i}": "v" for i in range(17)}, "object_above_max_properties", "metadata"),
        ({"k" * 65: "v"}, "property_name_above_max_length", f"metadata.{'k' * 65}"),
        ({"k": "v" * 513}, "string_above_max_length", "metadata.k"),
        ({"tags": ["a", "b"]}, "invalid_type", "metadata.tags"),
        ({"n": 1}, "invalid_type", "metadata.n"),
    ]
    for metadata, code, param in cases:
        with pytest.raises(openai.BadRequestError) as exc:
            create_batch(client, "file-x", metadata=metadata)
        assert (exc.value.code, exc.value.param) == (code, param)
    with pytest.raises(openai.BadRequestError) as exc:
        create_batch(client, "file-x", metadata={"tags": ["a"]})
    assert exc.value.message.endswith(
        "Invalid type for 'metadata.tags': expected a string, but got an array instead."
    )


def test_b6_output_expires_after(client: OpenAI, server: LiveServer) -> None:
    for seconds in (3600, 7200, 2_592_000):
        batch = create_batch(
            client, output_expires_after={"anchor": "created_at", "seconds": seconds}
        )
        record = server.store.get_batch("default", batch.id)
        assert record is not None and record.output_expires_after == seconds
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"anchor": "created_at", "seconds": 3599}, "integer_below_min_value", "seconds"),
        ({"anchor": "created_at", "seconds": 2_592_001}, "integer_above_max_value", "seconds"),
        ({"anchor": "completed_at", "seconds": 3600}, "invalid_value", "anchor"),
        ({"anchor": "created_at", "seconds": "3600"}, "invalid_type", "seconds"),
        ({"seconds": 3600}, "missing_required_parameter", "anchor"),
    ]
    for value, code, field in cases:
        with pytest.raises(openai.BadRequestError) as exc:
            create_batch(client, "file-x", output_expires_after=value)
        assert (exc.value.code, exc.value.param) == (code, f"output_expires_after.{field}")


def test_create_does_not_look_up_the_input_file(client: OpenAI) -> None:
    """A missing file fails the batch later, in validation (spec B7), not here."""
    assert create_batch(client, "file-doesnotexist").status == "validating"


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"input_file_id": 123}, "input_file_id"),
        ({"endpoint": None}, "endpoint"),
        ({"completion_window": 24}, "completion_window"),
        ({"metadata": ["a"]}, "metadata"),
        ({"output_expires_after": 3600}, "output_expires_after"),
    ],
)
def test_wrong_types_are_400(raw: httpx.Client, change: dict[str, Any], param: str) -> None:
    response = raw.post("/v1/batches", json={**BODY, **change})
    assert_error(response, 400, code="invalid_type", param=param)


def test_retrieve_unknown_batch_is_404(client: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as exc:
        client.batches.retrieve("batch_doesnotexist")
    assert exc.value.message.endswith(" - No batch found with id 'batch_doesnotexist'.")
    assert exc.value.param is None


def test_x1_cancel_a_validating_batch(client: OpenAI, server: LiveServer) -> None:
    batch = create_batch(client)
    cancelled = client.batches.cancel(batch.id)
    assert cancelled.status == "cancelling"
    assert isinstance(cancelled.cancelling_at, int)
    assert client.batches.retrieve(batch.id).status == "cancelling"
    assert len(server.wakes) == 2


def test_x3_cancel_is_idempotent(client: OpenAI, server: LiveServer) -> None:
    batch = create_batch(client)
    first = client.batches.cancel(batch.id)
    assert client.batches.cancel(batch.id).status == "cancelling"
    claimed = server.store.claim_validation(OWNER, time.time(), 30)
    assert claimed is not None and claimed.id == batch.id
    server.store.cancel_unstarted(batch.id, OWNER, int(time.time()))
    again = client.batches.cancel(batch.id)
    assert again.status == "cancelled" and isinstance(again.cancelled_at, int)
    assert again.cancelling_at == first.cancelling_at


def test_x4_cancel_a_completed_batch_is_409(client: OpenAI, server: LiveServer) -> None:
    batch = create_batch(client)
    complete_batch(server.store, batch.id, Usage(input_tokens=5, output_tokens=7, cached_tokens=1))
    done = client.batches.retrieve(batch.id)
    assert done.status == "completed" and isinstance(done.completed_at, int)
    assert done.usage is not None
    assert (done.usage.total_tokens, done.usage.input_tokens_details.cached_tokens) == (12, 1)
    assert done.request_counts is not None and done.request_counts.completed == 1
    assert done.errors is None
    with pytest.raises(openai.ConflictError) as exc:
        client.batches.cancel(batch.id)
    assert exc.value.message.endswith("Cannot cancel a batch with status 'completed'.")


def test_x4_cancel_a_failed_batch_is_409(client: OpenAI, server: LiveServer) -> None:
    batch = create_batch(client)
    error = {"code": "invalid_json_line", "line": 2, "message": "bad", "param": None}
    fail_batch(server.store, batch.id, [error])
    failed = client.batches.retrieve(batch.id)
    assert failed.status == "failed" and isinstance(failed.failed_at, int)
    assert failed.errors is not None and failed.errors.object == "list"
    assert failed.errors.data is not None
    assert [e.model_dump() for e in failed.errors.data] == [error]
    with pytest.raises(openai.ConflictError) as exc:
        client.batches.cancel(batch.id)
    assert exc.value.message.endswith("Cannot cancel a batch with status 'failed'.")


def test_x5_cancel_unknown_batch_is_404(client: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.batches.cancel("batch_doesnotexist")


async def test_async_client_batches(aclient: AsyncOpenAI) -> None:
    f = await aclient.files.create(file=("a.jsonl", b"{}\n"), purpose="batch")
    batch = await aclient.batches.create(
        input_file_id=f.id, endpoint="/v1/embeddings", completion_window="24h"
    )
    assert (await aclient.batches.retrieve(batch.id)) == batch
    assert [b.id async for b in aclient.batches.list()] == [batch.id]
    assert (await aclient.batches.cancel(batch.id)).status == "cancelling"
