"""The registry: names to factories, option checking, and cheap imports."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from batchyard.backends import BACKENDS, backend_endpoints, create_backend
from batchyard.backends.base import Backend
from batchyard.backends.mock import MockBackend
from batchyard.backends.openai import OpenAIBackend
from batchyard.config import ConfigError, ModelConfig, local_extra_installed
from batchyard.endpoints import BATCH_ENDPOINTS


def test_the_built_ins_are_registered() -> None:
    assert set(BACKENDS) == {
        "mock",
        "openai",
        "openai-batch",
        "local-embeddings",
        "transformers-chat",
    }


async def test_create_backend_builds_working_backends() -> None:
    mock = create_backend(ModelConfig("m", "mock", 4, {"latency_ms": 0}))
    upstream = create_backend(ModelConfig("u", "openai", 4, {"base_url": "http://x/v1"}))
    assert isinstance(mock, MockBackend) and isinstance(mock, Backend)
    assert isinstance(upstream, OpenAIBackend) and isinstance(upstream, Backend)
    assert upstream.max_group == 1
    await mock.aclose()
    await upstream.aclose()


@pytest.mark.skipif(not local_extra_installed(), reason="needs the 'local' extra")
def test_local_embeddings_is_built_without_loading_the_model() -> None:
    backend = create_backend(ModelConfig("e", "local-embeddings", 1, {}))
    assert isinstance(backend, Backend)
    assert backend.max_group > 1


def test_backend_endpoints() -> None:
    assert backend_endpoints(ModelConfig("m", "mock")) == {
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
        "/v1/responses",
        "/v1/moderations",
    }
    assert backend_endpoints(ModelConfig("u", "openai")) == BATCH_ENDPOINTS
    assert backend_endpoints(ModelConfig("e", "local-embeddings")) == {"/v1/embeddings"}


@pytest.mark.parametrize("call", [create_backend, backend_endpoints])
def test_unknown_backend_is_a_config_error(call: Any) -> None:
    with pytest.raises(ConfigError, match=r"'my-model'.*'vllm'.*known: local-embeddings, mock"):
        call(ModelConfig("my-model", "vllm"))


@pytest.mark.parametrize(
    ("backend", "options", "match"),
    [
        ("mock", {"latency": 5}, r"unknown option\(s\) latency; known: .*latency_ms"),
        ("mock", {"error_rate": "high"}, r"option 'error_rate' must be float, not str"),
        ("mock", {"dimensions": 1.5}, r"option 'dimensions' must be int"),
        ("mock", {"seed": True}, r"option 'seed' must be int, not bool"),
        ("openai", {"base_url": "http://x/v1", "timeout": 5}, r"unknown option\(s\) timeout"),
        ("local-embeddings", {"threads": "4"}, r"option 'threads' must be int"),
        ("local-embeddings", {"device": "gpu"}, r"device must be"),
    ],
)
def test_bad_options_are_config_errors_naming_the_model(
    backend: str, options: dict[str, Any], match: str
) -> None:
    with pytest.raises(ConfigError, match=rf"model 'my-model' \(backend '{backend}'\): {match}"):
        create_backend(ModelConfig("my-model", backend, 1, options))


def test_integer_options_widen_to_float() -> None:
    backend = create_backend(ModelConfig("m", "mock", 1, {"latency_ms": 5, "error_rate": 0}))
    assert isinstance(backend, MockBackend)
    assert backend.options.latency_ms == 5.0
    assert isinstance(backend.options.latency_ms, float)


def test_importing_and_building_backends_imports_no_torch() -> None:
    """Servers that never run local embeddings must not pay torch's import time."""
    code = (
        "import sys\n"
        "from batchyard.config import ModelConfig\n"
        "from batchyard.backends import create_backend, backend_endpoints\n"
        "create_backend(ModelConfig('m', 'mock'))\n"
        "backend_endpoints(ModelConfig('e', 'local-embeddings'))\n"
        "heavy = {'torch', 'sentence_transformers', 'transformers', 'numpy'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
