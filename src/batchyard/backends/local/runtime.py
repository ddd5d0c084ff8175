"""What the backends that run a model on this machine share.

The `device` option and its check, the extra they need (checked when the
backend is built, so a missing one stops the process at startup), torch
imported with the Hugging Face hubs offline (nothing is ever downloaded), and
a per-backend cache that loads each model once per process.
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from batchyard.config import ConfigError, ModelConfig

_DEVICE = re.compile(r"^(cpu|auto|cuda(:[0-9]+)?)$")

ModelT = TypeVar("ModelT")


def check_device(device: str) -> None:
    """ValueError unless `device` is cpu, cuda, cuda:<n> or auto (for an options check)."""
    if not _DEVICE.match(device):
        raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:<n>' or 'auto', not {device!r}")


def require_modules(model: ModelConfig, modules: Iterable[str]) -> None:
    """ConfigError naming the model and what to install, when a module is missing."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(
            f"model {model.name!r} needs {', '.join(missing)}: pip install 'batchyard[local]'"
        )


def offline_torch(device: str, threads: int | None) -> tuple[Any, str]:
    """torch, imported with the hubs offline, and `device` with "auto" resolved.

    `threads` sets torch's intra-op pool, which is process-wide.
    """
    # Read at import time by huggingface_hub/transformers: set before importing them.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no tqdm bars in server logs
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch, device


class ModelCache(Generic[ModelT]):
    """Loaded models by key; a caller asking for one being loaded waits for that load."""

    def __init__(self) -> None:
        self.loaded: dict[Hashable, ModelT] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], ModelT]) -> ModelT:
        with self._lock:
            model = self.loaded.get(key)
            if model is None:
                model = self.loaded[key] = load()
            return model
