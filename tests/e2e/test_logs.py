"""The server's whole log after a full run never holds what clients sent: a planted secret
in file content, custom_id, metadata, filename, query, path, bodies, a webhook's name and
URL, and the API key itself is nowhere in it, while every request has its one
structured access line."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx
import openai
import orjson
from tests.e2e.conftest import Server, ServerFactory, wait_for
from tests.e2e.test_isolation import create_key
from tests.receiver import Receiver

ACCESS_FIELDS = {"request_id", "project", "method", "route", "status", "ms"}


def access_lines(log: str) -> list[dict[str, Any]]:
    lines = [line for line in log.splitlines() if " batchyard.access " in line]
    return [json.loads(line[line.index("{") :]) for line in lines]


def test_a_full_run_leaves_no_client_data_in_the_log(make_server: ServerFactory) -> None:
    secret = "PLANTED" + secrets.token_hex(8)
    inbox = Receiver()
    with inbox.running():
        server = make_server(webhooks={"allowed_networks": ["127.0.0.0/8"]})
        key = create_key(server, "logs")
        client = server.client(key)
        client.webhooks.create(
            name=secret, url=f"{inbox.url}?token={secret}", event_types=["batch.completed"]
        )
        request_ids = run_and_probe(server, client, key, secret)
        inbox.wait(lambda: len(inbox.accepted()) == 1)  # the URL with the secret was used
    assert server.stop() == 0
    check_log(server.log.read_text(), secret, key, request_ids)


def run_and_probe(server: Server, client: openai.OpenAI, key: str, secret: str) -> dict[str, str]:
    """A full batch carrying the secret, then requests that carry it elsewhere."""
    request_ids: dict[str, str] = {}

    lines = [
        {
            "custom_id": f"{secret}-{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "batchyard-mock", "messages": [{"role": "user", "content": secret}]},
        }
        for i in range(5)
    ]
    data = b"".join(orjson.dumps(line) + b"\n" for line in lines)
    upload = client.files.with_raw_response.create(file=(f"{secret}.jsonl", data), purpose="batch")
    request_ids["upload"] = upload.headers["x-request-id"]
    file = upload.parse()
    batch = client.batches.create(
        input_file_id=file.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"note": secret},
    )
    done = wait_for(client, batch.id, {"completed"})
    assert done.output_file_id is not None
    output = client.files.content(done.output_file_id).content
    assert secret.encode() in output  # the secret did travel through the server

    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        auth = {"authorization": f"Bearer {key}"}
        probes = [
            http.get(f"/files/{secret}", headers=auth),
            http.post("/batches/batches/cancel", headers=auth),
            http.get(f"/no-such-route/{secret}", headers=auth),
            http.get("/files", params={"purpose": secret}, headers=auth),
            http.post("/batches", content=b"{" + secret.encode(), headers=auth),
            http.get("/files", headers={"authorization": f"Bearer sk-by-{secret}{secret}"}),
            http.get("/files", headers={"authorization": f"Bearer {secret}"}),
        ]
    assert [p.status_code for p in probes] == [404, 404, 404, 200, 400, 401, 401]
    request_ids["404"] = probes[0].headers["x-request-id"]
    request_ids["id like a segment"] = probes[1].headers["x-request-id"]
    request_ids["401"] = probes[5].headers["x-request-id"]
    request_ids["file"] = file.id
    return request_ids


def check_log(log: str, secret: str, key: str, request_ids: dict[str, str]) -> None:
    assert secret not in log
    assert key not in log and key[6:-4] not in log
    entries = access_lines(log)
    assert entries and all(set(e) == ACCESS_FIELDS for e in entries)
    by_id = {e["request_id"]: e for e in entries}
    assert len(by_id) == len(entries)  # one line per request
    assert by_id[request_ids["upload"]] | {"ms": 0} == {
        "request_id": request_ids["upload"],
        "project": "logs",
        "method": "POST",
        "route": "/v1/files",
        "status": 200,
        "ms": 0,
    }
    assert by_id[request_ids["404"]]["route"] == "/v1/files/{file_id}"
    assert by_id[request_ids["404"]]["status"] == 404
    assert by_id[request_ids["id like a segment"]]["route"] == "/v1/batches/{batch_id}/cancel"
    assert (by_id[request_ids["401"]]["project"], by_id[request_ids["401"]]["status"]) == (
        None,
        401,
    )
    routes = {e["route"] for e in entries}
    assert "/v1/batches/{batch_id}" in routes and "/v1/files/{file_id}/content" in routes
    assert request_ids["file"] not in log  # ids stay out of access lines (route templates)
