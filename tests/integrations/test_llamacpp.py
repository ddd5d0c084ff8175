"""llama.cpp's server (llama-cpp-python[server]) as the upstream of batchyard's openai backend.

The server runs a tiny random Llama built here as GGUF (tiny_gguf.py), nothing
downloaded. A batch through batchyard must answer each line exactly as the server
answers the same request directly (greedy decoding), and a server SIGKILLed in
the middle of a batch and started again must cost no line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.integrations.envs import extra_env
from tests.integrations.support import (
    assert_all_answered,
    restart_mid_batch,
    results,
    submit_batch,
    wait,
)
from tests.integrations.upstreams import LLAMA_MODEL, LlamaServer, batchyard_for

pytestmark = pytest.mark.slow


def body(i: int) -> dict[str, Any]:
    prompt = f"hello the batch {i} of the yard"
    return {
        "model": LLAMA_MODEL,
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": 12,
        "temperature": 0,
    }


@pytest.fixture
def llama(tmp_path: Path) -> Iterator[LlamaServer]:
    with LlamaServer(extra_env("llamacpp"), tmp_path) as server:
        yield server  # type: ignore[misc]


def test_batch_answers_as_the_server_does_directly(llama: LlamaServer, tmp_path: Path) -> None:
    lines = 24
    direct = {}
    with httpx.Client(base_url=llama.base_url, timeout=30) as http:
        for i in range(lines):
            reply = http.post("/chat/completions", json=body(i))
            assert reply.status_code == 200, reply.text
            direct[f"row-{i}"] = reply.json()
    with batchyard_for(llama, LLAMA_MODEL, tmp_path) as server:
        client, batch_id = submit_batch(server, [body(i) for i in range(lines)], tmp_path)
        batch = wait(client, batch_id)
        assert batch.status == "completed" and batch.request_counts.failed == 0, batch
        got = results(client, batch)
    assert set(got) == set(direct)
    for custom_id, want in direct.items():
        answer = got[custom_id]["response"]
        assert answer["status_code"] == 200
        assert answer["body"]["choices"][0]["message"] == want["choices"][0]["message"]
        assert answer["body"]["usage"] == want["usage"]
        assert answer["body"]["model"] == want["model"]


def test_upstream_killed_mid_batch_loses_nothing(llama: LlamaServer, tmp_path: Path) -> None:
    lines = 150
    with batchyard_for(llama, LLAMA_MODEL, tmp_path) as server:
        batch, got = restart_mid_batch(llama, server, [body(i) for i in range(lines)], tmp_path)
    assert_all_answered(batch, got, lines)
