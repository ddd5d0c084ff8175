"""API keys at the door: open until the first key, then a live key on every route, or 401."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI

from batchyard.apikeys import redact

from .support import LINE, LiveServer, assert_error, upload

ANY_ID = {
    "file_id": "file-abc",
    "batch_id": "batch_abc",
    "endpoint_id": "we_abc",
    "model_id": "gpt-9",
}


def sdk(server: LiveServer, key: str) -> OpenAI:
    return OpenAI(base_url=server.base_url, api_key=key, max_retries=0)


def new_key(server: LiveServer, project: str = "acme") -> str:
    return server.store.keys.create(project, int(time.time()))[1]


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def every_route(raw: httpx.Client, key: str) -> list[tuple[str, str]]:
    """(method, path) of every route the API documents, path parameters filled in."""
    spec: dict[str, Any] = raw.get("/openapi.json", headers=bearer(key)).json()
    routes = []
    for template, methods in spec["paths"].items():
        path = re.sub(r"\{(\w+)\}", lambda m: ANY_ID[m.group(1)], template)
        routes += [(method.upper(), path) for method in methods]
    return routes


def test_open_until_the_first_key_then_closed(server: LiveServer, raw: httpx.Client) -> None:
    assert raw.get("/v1/files").status_code == 200
    assert raw.get("/v1/files", headers=bearer("anything")).status_code == 200
    key = new_key(server)
    assert_error(raw.get("/v1/files"), 401, code="invalid_api_key")
    assert_error(raw.get("/v1/files", headers=bearer("anything")), 401, code="invalid_api_key")
    assert raw.get("/v1/files", headers=bearer(key)).status_code == 200


def test_every_route_needs_a_live_key(server: LiveServer, raw: httpx.Client) -> None:
    key = new_key(server)
    routes = every_route(raw, key)
    assert ("GET", "/v1/batches/batch_abc/output") in routes
    assert ("POST", "/v1/webhook_endpoints/we_abc/test") in routes
    assert len([r for r in routes if r[1].startswith("/v1/")]) >= 18  # new routes join in
    wrong = "sk-by-" + "x" * 43
    for method, path in [*routes, ("GET", "/openapi.json"), ("GET", "/v1/no-such-route")]:
        for headers in ({}, bearer(wrong), {"authorization": f"Basic {key}"}):
            response = raw.request(method, path, headers=headers)
            error = assert_error(response, 401, code="invalid_api_key")
            assert error["type"] == "invalid_request_error"
            assert response.headers["www-authenticate"] == "Bearer"
        assert raw.request(method, path, headers=bearer(key)).status_code != 401
    assert raw.get("/health").json() == {"status": "ok"}
    assert raw.get("/metrics").status_code == 200  # the operator's scrape, as issue 8 made it


def test_the_sdk_sees_an_authentication_error(server: LiveServer) -> None:
    new_key(server)
    wrong = "sk-by-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
    with sdk(server, wrong) as client, pytest.raises(openai.AuthenticationError) as exc:
        client.files.list()
    assert exc.value.status_code == 401
    assert exc.value.code == "invalid_api_key"
    assert exc.value.request_id is not None and exc.value.request_id.startswith("req_")
    assert "- Incorrect API key provided: sk-by-…DEFG. " in exc.value.message
    assert wrong not in exc.value.message and wrong[6:-4] not in exc.value.message


@pytest.mark.parametrize("sent", ["short", "sk-proj-abc", "x" * 19])
def test_short_keys_are_not_echoed_at_all(server: LiveServer, raw: httpx.Client, sent: str) -> None:
    new_key(server)
    error = assert_error(raw.get("/v1/batches", headers=bearer(sent)), 401)
    assert error["message"].startswith("Incorrect API key provided: …. ")
    assert sent not in error["message"]


def test_a_missing_key_says_how_to_send_one(server: LiveServer, raw: httpx.Client) -> None:
    new_key(server)
    error = assert_error(raw.get("/v1/batches"), 401, code="invalid_api_key")
    assert "Authorization: Bearer YOUR_KEY" in error["message"]


def test_revoking_is_immediate_and_never_reopens(server: LiveServer, raw: httpx.Client) -> None:
    first, second = new_key(server), new_key(server)
    key_id = {r.redacted: r.id for r in server.store.keys.all()}
    assert raw.get("/v1/files", headers=bearer(first)).status_code == 200
    server.store.keys.revoke(key_id[redact(first)], int(time.time()))
    assert_error(raw.get("/v1/files", headers=bearer(first)), 401, code="invalid_api_key")
    assert raw.get("/v1/files", headers=bearer(second)).status_code == 200
    server.store.keys.revoke(key_id[redact(second)], int(time.time()))
    assert_error(raw.get("/v1/files"), 401, code="invalid_api_key")
    assert_error(raw.get("/v1/files", headers=bearer(second)), 401, code="invalid_api_key")


def test_use_is_recorded(server: LiveServer, raw: httpx.Client) -> None:
    key = new_key(server)
    assert server.store.keys.all()[0].last_used_at is None
    before = int(time.time())
    raw.get("/v1/batches", headers=bearer(key))
    used = server.store.keys.all()[0].last_used_at
    assert used is not None and used >= before


def test_a_refused_upload_stores_nothing(server: LiveServer, raw: httpx.Client) -> None:
    new_key(server)
    response = raw.post(
        "/v1/files", data={"purpose": "batch"}, files={"file": ("in.jsonl", LINE * 1000)}
    )
    assert_error(response, 401, code="invalid_api_key")
    assert server.blob_names() == []
    assert server.store.list_files("default")[0] == []


def test_objects_made_while_open_belong_to_project_default(
    server: LiveServer, client: OpenAI
) -> None:
    made_open = upload(client)
    with sdk(server, new_key(server, "default")) as default:
        assert default.files.retrieve(made_open.id).id == made_open.id
    with sdk(server, new_key(server, "acme")) as acme:
        with pytest.raises(openai.NotFoundError):
            acme.files.retrieve(made_open.id)
        assert acme.files.list().data == []
