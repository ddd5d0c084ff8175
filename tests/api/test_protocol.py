"""Protocol hygiene: §11 P1-P5, and bad requests that must stay 4xx."""

from __future__ import annotations

import os

import httpx
import openai
import pytest
from openai import OpenAI

from .support import LiveServer, assert_error, create_batch, upload

BATCH = {"input_file_id": "file-x", "endpoint": "/v1/embeddings", "completion_window": "24h"}


def test_p2_request_id_on_success(client: OpenAI) -> None:
    f = upload(client)
    assert f._request_id is not None and f._request_id.startswith("req_")
    raw = client.batches.with_raw_response.create(
        input_file_id=f.id, endpoint="/v1/embeddings", completion_window="24h"
    )
    assert raw.headers["x-request-id"].startswith("req_")
    assert raw.headers["x-request-id"] != f._request_id


def test_p2_request_id_on_errors(client: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as exc:
        client.batches.retrieve("batch_nope")
    assert exc.value.request_id is not None and exc.value.request_id.startswith("req_")
    body = exc.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}


def test_p3_empty_json_body_on_cancel_and_delete(raw: httpx.Client, client: OpenAI) -> None:
    batch = create_batch(client)
    headers = {"content-type": "application/json"}
    cancel = raw.post(f"/v1/batches/{batch.id}/cancel", content=b"", headers=headers)
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelling"
    f = upload(client, name="other.jsonl")
    delete = raw.request("DELETE", f"/v1/files/{f.id}", content=b"", headers=headers)
    assert delete.json() == {"id": f.id, "object": "file", "deleted": True}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        pytest.param(b"{bad json", "application/json", id="bad-json"),
        pytest.param(b"", "application/json", id="empty"),
        pytest.param(b"[]", "application/json", id="array"),
        pytest.param(b'[{"endpoint": "/v1/embeddings"}]', "application/json", id="array-of-object"),
        pytest.param(b'"text"', "application/json", id="string"),
        pytest.param(b"null", "application/json", id="null"),
        pytest.param(b"42", "application/json", id="number"),
        pytest.param(os.urandom(512), "application/json", id="binary-garbage"),
        pytest.param(b'{"endpoint": "/v1/embeddings"}', "text/plain", id="text-plain"),
        pytest.param(b"endpoint=/v1/embeddings", "application/x-www-form-urlencoded", id="form"),
        pytest.param(b'{"endpoint": "/v1/embeddings"}', None, id="no-content-type"),
    ],
)
def test_bad_batch_bodies_are_400(
    raw: httpx.Client, content: bytes, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    error = assert_error(raw.post("/v1/batches", content=content, headers=headers), 400)
    assert error["type"] == "invalid_request_error"


def test_oversized_batch_body_is_413(raw: httpx.Client) -> None:
    huge = {**BATCH, "padding": "x" * (2 * 1024 * 1024)}
    assert_error(raw.post("/v1/batches", json=huge), 413)
    chunks = iter([b'{"padding": "', b"x" * (2 * 1024 * 1024), b'"}'])
    headers = {"content-type": "application/json"}
    assert_error(raw.post("/v1/batches", content=chunks, headers=headers), 413)


def test_non_object_json_says_so(raw: httpx.Client) -> None:
    error = assert_error(raw.post("/v1/batches", json=[BATCH]), 400, code="invalid_type")
    assert "expected an object, but got an array" in error["message"]


def test_unknown_routes_and_methods(raw: httpx.Client) -> None:
    assert "Invalid URL (GET /v1/nope)" in assert_error(raw.get("/v1/nope"), 404)["message"]
    assert_error(raw.get("/nope"), 404)
    assert_error(raw.post("/v1/files/file-x/content"), 405)
    wrong = raw.put("/v1/batches")
    assert_error(wrong, 405)
    assert wrong.headers["allow"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/files/file-nope"),
        ("DELETE", "/v1/files/file-nope"),
        ("GET", "/v1/files/file-nope/content"),
        ("GET", "/v1/batches/batch_nope"),
        ("POST", "/v1/batches/batch_nope/cancel"),
        ("GET", "/v1/files/..%2F..%2Fetc%2Fpasswd"),
    ],
)
def test_unknown_ids_are_404(raw: httpx.Client, method: str, path: str) -> None:
    assert_error(raw.request(method, path), 404)


def test_any_authorization_is_accepted(server: LiveServer) -> None:
    for headers in ({}, {"authorization": "Bearer whatever"}, {"authorization": "garbage"}):
        assert httpx.get(f"{server.base_url}/batches", headers=headers).status_code == 200


def test_p4_a_server_bug_is_a_500_envelope_without_data_in_logs(
    client: OpenAI,
    server: LiveServer,
    raw: httpx.Client,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "-".join(["SECRET", "METADATA", "VALUE"])  # never a literal in a traceback line

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(secret)

    monkeypatch.setattr(server.store, "list_batches", broken)
    with pytest.raises(openai.InternalServerError) as exc:
        client.batches.list()
    assert exc.value.request_id is not None
    assert isinstance(exc.value.body, dict) and exc.value.body["type"] == "server_error"
    assert exc.value.request_id in exc.value.message
    assert "RuntimeError" in caplog.text and exc.value.request_id in caplog.text
    assert secret not in caplog.text
    monkeypatch.undo()
    assert raw.get("/v1/batches").status_code == 200


def test_health(raw: httpx.Client) -> None:
    response = raw.get("/health")
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"].startswith("req_")
