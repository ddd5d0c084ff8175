"""Two llama.cpp servers as replicas behind one `openai` model: the fleet recipe.

vLLM and SGLang cannot be installed here (CUDA wheels), but their servers speak
the same OpenAI protocol as llama.cpp's, so the part of the fleet recipe that is
batchyard's — several `base_urls`, per-URL health, fail-over, adaptive concurrency
below a shared ceiling — is proven on two llama.cpp replicas: one batch uses both,
one replica is SIGKILLed mid-batch and stays down, and no line is lost.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from tests.integrations.envs import extra_env
from tests.integrations.support import results, submit_batch, wait
from tests.integrations.test_llamacpp import body
from tests.integrations.upstreams import LLAMA_MODEL, LlamaServer

from batchyard.testing import ServerProcess, write_config

pytestmark = pytest.mark.slow
CEILING = 16  # max_concurrency: the most in flight per replica, a ceiling, not the knee
ANSWERED = re.compile(rb'"POST /v1/chat/completions HTTP/1.1" 200')


def answered(replica: LlamaServer) -> int:
    """Chat completions the replica itself logged as answered (uvicorn's access log)."""
    return len(ANSWERED.findall(replica.log.read_bytes()))


def pacer(server: ServerProcess) -> dict[str, float]:
    """batchyard_pacer_limit{model=tiny-llama} from /metrics: concurrency, healthy_urls."""
    text = httpx.get(server.base_url.removesuffix("/v1") + "/metrics", timeout=10).text
    found = {}
    for line in text.splitlines():
        limit = re.search(r'limit="(\w+)"', line)
        if line.startswith("batchyard_pacer_limit{") and f'model="{LLAMA_MODEL}"' in line and limit:
            found[limit.group(1)] = line.rsplit(" ", 1)[1]
    return {k: float(v) for k, v in found.items()}


def test_two_replicas_one_killed_mid_batch(tmp_path: Path) -> None:
    env = extra_env("llamacpp")
    lines = 160
    with LlamaServer(env, tmp_path, "a") as a, LlamaServer(env, tmp_path, "b") as b:
        model = {
            "name": LLAMA_MODEL,
            "backend": "openai",
            "base_urls": [a.base_url, b.base_url],
            "max_concurrency": CEILING,
            "timeout_seconds": 30,
        }
        config = write_config(tmp_path / "batchyard.toml", models=[model])
        with ServerProcess(config, tmp_path / "data", env={"OPENAI_API_KEY": "unused"}) as server:
            client, batch_id = submit_batch(server, [body(i) for i in range(lines)], tmp_path)
            deadline = time.monotonic() + 120
            while answered(a) < 5 or answered(b) < 5:
                assert time.monotonic() < deadline, (answered(a), answered(b))
                time.sleep(0.05)
            before = pacer(server)
            b.kill()  # and it stays down: the batch must finish on replica a alone
            killed_at = answered(b)
            batch = wait(client, batch_id)
            after = pacer(server)
            got = results(client, batch)
    assert batch.status == "completed", batch
    assert batch.request_counts.completed == lines and batch.request_counts.failed == 0
    assert sorted(got) == sorted(f"row-{i}" for i in range(lines))
    assert all(row["response"]["status_code"] == 200 for row in got.values())
    # Both replicas answered lines; after the kill, a answered the rest.
    assert answered(a) + killed_at >= lines and killed_at >= 5
    # Per-URL health: the dead replica is out of service; concurrency stays under the ceiling.
    assert before["healthy_urls"] == 2 and after["healthy_urls"] == 1, (before, after)
    assert after["concurrency"] <= 2 * CEILING
    print(f"fleet: a={answered(a)} b={killed_at} pacer before={before} after={after}")
