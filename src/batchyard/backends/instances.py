"""`Backends`: one backend per configured model, built once per process.

The engine's shard runners and the API's synchronous endpoints take their
backends from the same `Backends`, so in `batchyard serve` a synchronous
`/v1/embeddings` call joins the batch lines in the model's batcher, and an
upstream's pacer counts both. Processes build them all at startup
(`build_all`), which checks every model's options; a local model loads on the
backend's first `run`.
"""

from __future__ import annotations

from batchyard.backends.base import Backend
from batchyard.backends.catalogue import backend_endpoints, create_backend
from batchyard.config import ModelConfig, Settings


class Backends:
    """The process's backends, keyed by model name."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._built: dict[str, Backend] = {}

    def model(self, name: str) -> ModelConfig | None:
        """The configured model of that name, if any."""
        return self.settings.model(name)

    def serves(self, name: str, endpoint: str) -> bool:
        """Whether model `name` is configured and its backend answers `endpoint`."""
        config = self.model(name)
        return config is not None and endpoint in backend_endpoints(config)

    def models_for(self, endpoint: str) -> set[str]:
        return {m.name for m in self.settings.models if endpoint in backend_endpoints(m)}

    def build_all(self) -> None:
        """Build every configured model's backend now, so that a bad option, a missing
        extra or an unset `api_key_env` stops the process at startup (`ConfigError`)
        instead of failing a batch's lines later. Local models still load on first use."""
        for model in self.settings.models:
            self.get(model.name)

    def get(self, name: str) -> Backend:
        """The model's backend, built now if this is its first use; LookupError if unknown."""
        backend = self._built.get(name)
        if backend is None:
            config = self.model(name)
            if config is None:
                raise LookupError(f"model {name!r} is not configured")
            backend = self._built[name] = create_backend(config)
        return backend

    def built(self) -> dict[str, Backend]:
        """The backends built so far, by model (reading them builds nothing)."""
        return dict(self._built)

    async def aclose(self) -> None:
        """Release every built backend (threads, connections); a later `get` builds anew."""
        built, self._built = self._built, {}
        for backend in built.values():
            await backend.aclose()
