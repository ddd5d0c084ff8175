"""One `Backends` per process: the engine and the synchronous API share each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchyard.backends import Backends
from batchyard.backends.mock import MockBackend
from batchyard.config import ModelConfig, Settings
from batchyard.runtime.serve import Services


def settings(tmp_path: Path, *, local: bool = True) -> Settings:
    models = [
        ModelConfig("batchyard-mock", "mock"),
        ModelConfig("down", "openai", options={"base_url": "http://127.0.0.1:9/v1"}),
    ]
    if local:  # never built: its endpoints are known without the extra or the model
        models.append(ModelConfig("minilm", "local-embeddings"))
    return Settings(data_dir=tmp_path, models=models)


async def test_a_backend_is_built_once_on_first_use_and_closed_with_the_registry(
    tmp_path: Path,
) -> None:
    backends = Backends(settings(tmp_path))
    first = backends.get("batchyard-mock")
    assert isinstance(first, MockBackend)
    assert backends.get("batchyard-mock") is first
    assert backends.models_for("/v1/chat/completions") == {"batchyard-mock", "down"}
    assert backends.serves("minilm", "/v1/embeddings")
    assert not backends.serves("minilm", "/v1/chat/completions")
    assert not backends.serves("gpt-9", "/v1/embeddings")
    with pytest.raises(LookupError):
        backends.get("gpt-9")
    await backends.aclose()
    assert backends.get("batchyard-mock") is not first


def test_services_hand_the_engine_the_same_backends_the_api_gets(tmp_path: Path) -> None:
    # Opening builds every backend, and building a local one needs the local extra.
    services = Services.open(settings(tmp_path, local=False))
    try:
        assert services.engine.backends is services.backends
        assert services.engine._backend("batchyard-mock") is services.backends.get("batchyard-mock")
    finally:
        services.close()
