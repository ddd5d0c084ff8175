"""batchyard's `openai` backend configured for Azure OpenAI's dated deployment API.

Azure cannot run here, so a loopback upstream enforces Azure's request shape:
`POST /openai/deployments/{deployment}/chat/completions?api-version=...`, the key
in an `api-key` header (no `Authorization`), and Azure's error bodies when any
of that is wrong (401 for a missing or wrong key, 404 `DeploymentNotFound` for an
unknown deployment, 404 "Resource not found" without a supported api-version,
429 with `retry-after`). The config is the recipe in docs/integrations.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tests.e2e.conftest import Server, ServerFactory, chat_lines, results, wait_for
from tests.threaded_server import serving

KEY = "azure-test-key-0123"
API_VERSION = "2024-10-21"
DEPLOYMENT = "gpt-4o-mini-prod"
# Azure's bodies, as its REST reference and its answers show them.
ACCESS_DENIED = {
    "error": {
        "code": "401",
        "message": "Access denied due to invalid subscription key or wrong API endpoint. "
        "Make sure to provide a valid key for an active subscription and use a correct "
        "regional API endpoint for your resource.",
    }
}
DEPLOYMENT_NOT_FOUND = {
    "error": {
        "code": "DeploymentNotFound",
        "message": "The API deployment for this resource does not exist. If you created the "
        "deployment within the last 5 minutes, please wait a moment and try again.",
    }
}
RESOURCE_NOT_FOUND = {"error": {"code": "404", "message": "Resource not found"}}


class AzureShape:
    """Answers like Azure only when the request has Azure's shape; records what came."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.throttle_left = 2  # the first two calls get 429, as Azure does under load

    async def chat(self, request: Request) -> JSONResponse:
        self.seen.append(
            {
                "path": request.url.path,
                "query": dict(request.query_params),
                "api-key": request.headers.get("api-key"),
                "authorization": request.headers.get("authorization"),
            }
        )
        if request.headers.get("api-key") != KEY:
            return JSONResponse(ACCESS_DENIED, status_code=401)
        if request.query_params.get("api-version") != API_VERSION:
            return JSONResponse(RESOURCE_NOT_FOUND, status_code=404)
        if request.path_params["deployment"] != DEPLOYMENT:
            return JSONResponse(DEPLOYMENT_NOT_FOUND, status_code=404)
        if self.throttle_left > 0:
            self.throttle_left -= 1
            body = {
                "error": {
                    "code": "429",
                    "message": "Requests to the ChatCompletions_Create Operation under Azure "
                    "OpenAI API version 2024-10-21 have exceeded call rate limit of your "
                    "current OpenAI S0 pricing tier. Please retry after 1 second.",
                }
            }
            return JSONResponse(body, status_code=429, headers={"retry-after": "1"})
        prompt = (await request.json())["messages"][-1]["content"]
        answer = {
            "id": "chatcmpl-azure",
            "object": "chat.completion",
            "model": "gpt-4o-mini-2024-07-18",  # Azure names the model, not the deployment
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": prompt.upper()},
                    "content_filter_results": {},
                }
            ],
            "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        }
        return JSONResponse(answer, headers={"x-ratelimit-remaining-requests": "999"})

    def app(self) -> Starlette:
        path = "/openai/deployments/{deployment}/chat/completions"
        return Starlette(routes=[Route(path, self.chat, methods=["POST"])])


@pytest.fixture
def azure() -> Iterator[tuple[AzureShape, str]]:
    shape = AzureShape()
    with serving(shape.app()) as url:
        yield shape, url


def azure_model(name: str, url: str, deployment: str) -> dict[str, Any]:
    """The recipe: the deployment's root as base_url, api-version and api-key as options."""
    return {
        "name": name,
        "backend": "openai",
        "base_url": f"{url}/openai/deployments/{deployment}",
        "query": {"api-version": API_VERSION},
        "api_key_env": "AZURE_OPENAI_API_KEY",
        "api_key_header": "api-key",
        "max_concurrency": 4,
    }


Rows = dict[str, Any]


def run_batch(server: Server, lines: bytes, tmp_path: Path) -> tuple[Any, Rows, Rows]:
    """One batch through batchyard: the batch, its output lines and its error lines by id."""
    client = server.client()
    (tmp_path / "in.jsonl").write_bytes(lines)
    with (tmp_path / "in.jsonl").open("rb") as file:
        uploaded = client.files.create(file=file, purpose="batch")
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    batch = wait_for(client, batch.id, {"completed", "failed"}, timeout=120)
    ok = {row["custom_id"]: row for row in results(client, batch.output_file_id)}
    failed = {row["custom_id"]: row for row in results(client, batch.error_file_id)}
    client.close()
    return batch, ok, failed


def test_batch_through_an_azure_deployment(
    azure: tuple[AzureShape, str],
    make_server: ServerFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shape, url = azure
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    models = [
        azure_model("gpt-4o-mini", url, DEPLOYMENT),
        azure_model("gone", url, "deleted-deployment"),
        {**azure_model("unversioned", url, DEPLOYMENT), "query": {}},
    ]
    server = make_server(models=models)
    batch, ok, _ = run_batch(server, chat_lines(6, model="gpt-4o-mini"), tmp_path)
    assert batch.status == "completed", batch.errors
    # The two 429s were waited out; every line of the live deployment answered.
    assert shape.throttle_left == 0
    assert sorted(ok) == [f"r{i}" for i in range(6)]
    for i in range(6):
        body = ok[f"r{i}"]["response"]["body"]
        assert body["choices"][0]["message"]["content"] == f"SAY {i}"
        assert body["prompt_filter_results"]  # Azure's extra fields pass through

    # Azure's DeploymentNotFound is the line's error, as Azure said it.
    batch, ok, failed = run_batch(server, chat_lines(2, model="gone", prefix="g"), tmp_path)
    assert batch.status == "completed" and not ok, batch.errors
    assert sorted(failed) == ["g0", "g1"]
    for row in failed.values():
        assert row["response"]["status_code"] == 404
        assert row["response"]["body"] == DEPLOYMENT_NOT_FOUND

    # Without `query`, Azure answers "Resource not found": the option is what makes it work.
    _, ok, failed = run_batch(server, chat_lines(1, model="unversioned", prefix="u"), tmp_path)
    assert not ok and failed["u0"]["response"]["body"] == RESOURCE_NOT_FOUND
    assert shape.seen.pop()["query"] == {}

    # Every request had Azure's shape: deployment path, api-version, api-key, no Bearer.
    assert all(
        seen["query"] == {"api-version": API_VERSION}
        and seen["api-key"] == KEY
        and seen["authorization"] is None
        for seen in shape.seen
    ), shape.seen
    assert {seen["path"] for seen in shape.seen} == {
        f"/openai/deployments/{DEPLOYMENT}/chat/completions",
        "/openai/deployments/deleted-deployment/chat/completions",
    }


def test_wrong_key_is_azures_401_on_the_line(
    azure: tuple[AzureShape, str],
    make_server: ServerFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shape, url = azure
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "not-the-key")
    server = make_server(models=[azure_model("gpt-4o-mini", url, DEPLOYMENT)])
    _, ok, failed = run_batch(server, chat_lines(2, model="gpt-4o-mini"), tmp_path)
    assert not ok
    assert [row["response"]["status_code"] for row in failed.values()] == [401, 401]
    assert all(row["response"]["body"] == ACCESS_DENIED for row in failed.values())
    assert shape.seen and all(seen["api-key"] == "not-the-key" for seen in shape.seen)
