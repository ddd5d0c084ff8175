"""llama-stack's published batch integration suite, pointed at a real `batchyard serve`.

The suite is tests/integration/batches from the llama-stack 0.7.3 sdist (kept by
`scripts/extra-envs llamastack`), run unchanged with the env's pytest and openai
client. integrations/llama_stack/conftest.py stands in for llama-stack's top-level
conftest (which would start a llama-stack server): it gives the suite an
`openai_client` on batchyard. Chat and completion lines go to llama.cpp's server
(llama-stack's CI uses a real inference server too); embedding lines to the mock.

Every test must pass except the few whose failure is the suite's, not batchyard's;
each is named below with why. Any other failure fails this test.
"""

from __future__ import annotations

import subprocess
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.integrations.envs import REPO, child_env, extra_env
from tests.integrations.upstreams import LLAMA_MODEL, LlamaServer

from batchyard.testing import ServerProcess, write_config

pytestmark = pytest.mark.slow
SDIST = "llama_stack-0.7.3"
EMBED = "batchyard-embed"
NOT_BATCHYARD = {
    # Wants a non-null `error` on the line that the upstream answered 4xx/5xx. OpenAI puts
    # that answer in `response` with `error: null` (openai-openapi#302), as batchyard does
    # (docs/compatibility.md); `error` is for lines never answered. The rest of this test
    # (1 completed, 1 failed, the error file's custom_id) passed before that assert.
    "test_batch_e2e_chat_completions",
    # Reads each embeddings result's response.body with json.loads, as a JSON string;
    # OpenAI's batch output (and this suite's own chat test) has body as an object.
    "test_batch_e2e_embeddings",
    # `idempotency_key` in the create body is llama-stack's extension; OpenAI's Batch
    # API has none, so batchyard, like OpenAI, makes a new batch each time.
    "test_idempotent_batch_creation_successful",
    "test_idempotency_conflict_with_different_params",
}


def extract_suite(env: Path, into: Path) -> Path:
    """tests/integration/batches from the sdist, with the stand-in conftest beside it."""
    sdist = env / "sdist" / f"{SDIST}.tar.gz"
    prefix = f"{SDIST}/tests/integration/batches/"
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
        for member in members:
            member.name = "batches/" + member.name.removeprefix(prefix)
        tar.extractall(into, members=members, filter="data")
    (into / "conftest.py").write_bytes((REPO / "integrations/llama_stack/conftest.py").read_bytes())
    return into


def outcomes(junit: Path) -> dict[str, str]:
    """Test name -> "passed", "skipped" or the failure's text, from pytest's JUnit XML."""
    result = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        failures = [child for child in case if child.tag in ("failure", "error")]
        kinds = {child.tag for child in case}
        outcome = "skipped" if "skipped" in kinds else "passed"
        if failures:
            outcome = (failures[0].text or failures[0].get("message") or "failed")[-3000:]
        result[case.get("name", "")] = outcome
    return result


def test_llama_stack_batch_suite(tmp_path: Path) -> None:
    env = extra_env("llamastack")
    llama_env = extra_env("llamacpp")
    suite = extract_suite(env, tmp_path / "suite")
    models = [
        {"name": LLAMA_MODEL, "backend": "openai", "max_concurrency": 4, "timeout_seconds": 60},
        {"name": EMBED, "backend": "mock", "max_concurrency": 16},
    ]
    with LlamaServer(llama_env, tmp_path) as llama:
        models[0]["base_url"] = llama.base_url
        config = write_config(tmp_path / "batchyard.toml", models=models)
        with ServerProcess(config, tmp_path / "data", env={"OPENAI_API_KEY": "unused"}) as server:
            done = subprocess.run(
                [str(env / "bin/python"), "-m", "pytest", "-p", "no:cacheprovider", "-q",
                 "--junitxml", str(tmp_path / "junit.xml"), "batches"],
                cwd=suite, capture_output=True, text=True, timeout=900,
                env=child_env(BATCHYARD_BASE_URL=server.base_url, OPENAI_API_KEY="unused",
                              LLAMA_STACK_TEXT_MODEL=LLAMA_MODEL,
                              LLAMA_STACK_EMBEDDING_MODEL=EMBED),
            )  # fmt: skip
    assert (tmp_path / "junit.xml").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    seen = outcomes(tmp_path / "junit.xml")
    failed = {name: text for name, text in seen.items() if text not in ("passed", "skipped")}
    ours = {name: text for name, text in failed.items() if name not in NOT_BATCHYARD}
    assert not ours, "\n\n".join(f"{name}:\n{text}" for name, text in ours.items())
    assert sum(outcome == "passed" for outcome in seen.values()) >= 17, seen
