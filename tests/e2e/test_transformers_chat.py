"""A chat batch through a real server with the transformers-chat backend, via the openai SDK."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.e2e.conftest import ServerFactory, results, wait_for
from tests.unit.tiny_causal_lm import build_tiny_causal_lm

from batchyard.backends import Request
from batchyard.backends.local.chat import TransformersChatBackend
from batchyard.config import ModelConfig

pytestmark = [
    pytest.mark.local,
    pytest.mark.skipif(
        importlib.util.find_spec("transformers") is None,
        reason="needs the 'local' extra (torch, transformers)",
    ),
]

MODEL = "tiny-chat"


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_causal_lm(tmp_path_factory.mktemp("tiny-chat"))


def line(custom_id: str, body: dict[str, Any]) -> bytes:
    request = {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions"}
    return orjson.dumps({**request, "body": {"model": MODEL, **body}}) + b"\n"


def test_a_chat_batch_runs_on_the_local_model(make_server: ServerFactory, model_path: Path) -> None:
    bodies = {
        f"r{i}": {
            "messages": [{"role": "user", "content": f"write a poem about {word}"}],
            "max_tokens": 8,
            "temperature": 0,
        }
        for i, word in enumerate(["the moon", "rivers", "a cat", "red", "one two", "the sea"])
    }
    bodies |= {
        f"s{i}": {
            "messages": [
                {"role": "system", "content": "be short"},
                {"role": "user", "content": "hi"},
            ],
            "max_tokens": 6,
            "seed": i,
        }
        for i in range(3)
    }
    bodies["bad"] = {"messages": [{"role": "user", "content": "hi"}], "logprobs": True}
    data = b"".join(line(custom_id, body) for custom_id, body in bodies.items())
    server = make_server(
        models=[
            {
                "name": MODEL,
                "backend": "transformers-chat",
                "max_concurrency": 2,
                "path": str(model_path),
                "device": "cpu",
                "max_batch_size": 4,
            }
        ]
    )
    client = server.client(_strict_response_validation=True)
    file_id = client.files.create(
        file=("chat.jsonl", data, "application/jsonl"), purpose="batch"
    ).id
    batch = client.batches.create(
        input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    batch = wait_for(client, batch.id, {"completed", "failed", "cancelled", "expired"}, timeout=120)

    assert batch.status == "completed", batch
    assert batch.request_counts.completed == 9 and batch.request_counts.failed == 1
    out = {item["custom_id"]: item for item in results(client, batch.output_file_id)}
    assert sorted(out) == sorted(custom_id for custom_id in bodies if custom_id != "bad")
    for item in out.values():
        response = item["response"]
        assert response["status_code"] == 200
        body = response["body"]
        assert body["object"] == "chat.completion" and body["model"] == MODEL
        assert body["choices"][0]["message"]["role"] == "assistant"
        assert body["choices"][0]["finish_reason"] in ("stop", "length")
    assert batch.usage is not None
    assert batch.usage.input_tokens == sum(
        item["response"]["body"]["usage"]["prompt_tokens"] for item in out.values()
    )
    (error,) = results(client, batch.error_file_id)
    assert error["custom_id"] == "bad" and error["response"]["status_code"] == 400
    assert error["response"]["body"]["error"]["param"] == "logprobs"

    # The server's answers are the model's own: the same requests run here agree.
    local = TransformersChatBackend(
        ModelConfig("local", "transformers-chat", 1, {"path": str(model_path), "device": "cpu"})
    )
    ids = ["r0", "r3", "s1"]
    here = asyncio.run(local.run([Request("/v1/chat/completions", bodies[i], i) for i in ids]))
    for custom_id, result in zip(ids, here, strict=True):
        served = out[custom_id]["response"]["body"]
        assert served["choices"][0]["message"] == result.body["choices"][0]["message"]
        assert served["usage"] == result.body["usage"]

    # The synchronous endpoint serves the same model, and a greedy answer matches the batch's.
    reply = client.chat.completions.create(model=MODEL, **bodies["r0"])
    assert reply.object == "chat.completion"
    assert reply.choices[0].message.model_dump(exclude_none=True) == {
        k: v
        for k, v in out["r0"]["response"]["body"]["choices"][0]["message"].items()
        if v is not None
    }
    assert reply.usage is not None
    assert reply.usage.prompt_tokens == out["r0"]["response"]["body"]["usage"]["prompt_tokens"]
