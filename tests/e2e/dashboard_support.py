"""Helpers for the dashboard tests: a signed-in HTTP session, and a project's objects."""

from __future__ import annotations

import re

import httpx
import openai
from tests.e2e.conftest import Server, chat_lines, wait_for
from tests.e2e.test_isolation import create_key, upload

MODELS = [
    {"name": "batchyard-mock", "backend": "mock", "max_concurrency": 64},
    {"name": "flaky", "backend": "mock", "max_concurrency": 8, "error_rate": 0.4, "seed": 3},
    {"name": "slow", "backend": "mock", "max_concurrency": 1, "latency_ms": 150, "max_group": 1},
]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def dashboard_url(server: Server) -> str:
    return f"http://127.0.0.1:{server.port}/dashboard"


def login_token(http: httpx.Client) -> str:
    """The sign-in form's CSRF token (its cookie half stays in the client's jar)."""
    match = _CSRF.search(http.get("/login").text)
    assert match is not None
    return match.group(1)


def sign_in(server: Server, key: str) -> tuple[httpx.Client, str]:
    """A client holding a dashboard session for `key`, and the session's CSRF token.

    The server closes the client when it stops, so a test need not."""
    http = httpx.Client(base_url=dashboard_url(server), timeout=30)
    server.on_stop(http.close)
    response = http.post("/login", data={"api_key": key, "csrf_token": login_token(http)})
    assert response.status_code == 303, response.text
    page = http.get("/batches")
    assert page.status_code == 200
    match = _CSRF.search(page.text)
    assert match is not None
    return http, match.group(1)


def failed_batch(client: openai.OpenAI, lines: int = 20) -> openai.types.Batch:
    """A completed batch on the `flaky` model: some lines in its error file."""
    file_id = upload(client, chat_lines(lines, model="flaky"))
    batch = client.batches.create(
        input_file_id=file_id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"team": "night"},
    )
    done: openai.types.Batch = wait_for(client, batch.id, {"completed"})
    assert done.error_file_id and done.output_file_id
    return done


__all__ = ["MODELS", "create_key", "dashboard_url", "failed_batch", "login_token", "sign_in"]
