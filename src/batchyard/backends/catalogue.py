"""The backends a `[[models]]` table can name, and how one is built from its config.

A factory is the backend class itself: calling it with a `ModelConfig` checks
the options (raising `ConfigError`) and builds the backend; its `endpoints`
class attribute says what it serves without building anything. No backend
module imports a heavy library (torch) at import time, so importing this
package stays cheap.
"""

from __future__ import annotations

from typing import Protocol

from batchyard.backends.base import Backend
from batchyard.backends.batchapi import OpenAIBatchBackend
from batchyard.backends.local import LocalEmbeddingsBackend, TransformersChatBackend
from batchyard.backends.mock import MockBackend
from batchyard.backends.openai import OpenAIBackend
from batchyard.config import ConfigError, ModelConfig


class BackendFactory(Protocol):
    """Builds a backend for one model; knows its endpoints before building one."""

    @property
    def endpoints(self) -> frozenset[str]: ...

    def __call__(self, model: ModelConfig) -> Backend: ...


BACKENDS: dict[str, BackendFactory] = {
    "mock": MockBackend,
    "openai": OpenAIBackend,
    "openai-batch": OpenAIBatchBackend,
    "local-embeddings": LocalEmbeddingsBackend,
    "transformers-chat": TransformersChatBackend,
}


def _factory(model: ModelConfig) -> BackendFactory:
    try:
        return BACKENDS[model.backend]
    except KeyError:
        raise ConfigError(
            f"model {model.name!r}: unknown backend {model.backend!r} "
            f"(known: {', '.join(sorted(BACKENDS))})"
        ) from None


def create_backend(model: ModelConfig) -> Backend:
    """Build the model's backend; `ConfigError` for an unknown backend or bad options."""
    return _factory(model)(model)


def backend_endpoints(model: ModelConfig) -> frozenset[str]:
    """The endpoint paths the model's backend serves, without building (or loading) it."""
    return _factory(model).endpoints


__all__ = ["BACKENDS", "BackendFactory", "backend_endpoints", "create_backend"]
