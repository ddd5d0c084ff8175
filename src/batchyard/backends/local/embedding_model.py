"""A sentence-transformers model driven below `encode`: our tokenizing, padding and passes.

`encode` tokenizes, pads, runs and normalizes one batch at a time on the
calling thread. Here those steps are split so the batcher can overlap them:
the tokenizer runs once per request (its counts give `usage` and find too-long
inputs, its ids feed the pass), `prepare` pads a pass into tensors on the
device, and `compute` runs the model's modules under `torch.inference_mode`.

torch and sentence-transformers (seconds to import) load on first use, once per
process, model folder and device. Nothing is downloaded: the Hugging Face hubs
are switched offline before they are imported.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from batchyard.backends.local.runtime import ModelCache, offline_torch


@dataclass(frozen=True, slots=True)
class EmbeddingModel:
    """A loaded model and the facts about it that requests are checked against."""

    encoder: Any  # sentence_transformers.SentenceTransformer
    device: str
    dimension: int
    max_tokens: int
    pad_id: int
    input_names: tuple[str, ...]  # what its tokenizer feeds it: input_ids, attention_mask, ...
    # A fast tokenizer is one Rust object whose truncation setting a call may change;
    # two threads in it at once can fail with "Already borrowed".
    tokenizer_lock: threading.Lock = field(default_factory=threading.Lock, compare=False)

    def tokenize(self, texts: Sequence[str], *, truncate: bool) -> list[list[int]]:
        """Token ids per text, special tokens included; full length, or cut when `truncate`.

        The cut is the tokenizer's own, so an end marker ([SEP]) stays in place.
        """
        if not texts:
            return []
        with self.tokenizer_lock:
            return self._tokenize(texts, truncate=truncate)

    def _tokenize(self, texts: Sequence[str], *, truncate: bool) -> list[list[int]]:
        tokenizer = self.encoder.tokenizer
        ids: list[list[int]] = tokenizer(
            list(texts),
            add_special_tokens=True,
            return_attention_mask=False,
            return_token_type_ids=False,
            verbose=False,
        )["input_ids"]
        too_long = [i for i, row in enumerate(ids) if len(row) > self.max_tokens]
        if truncate and too_long:
            cut = tokenizer(
                [texts[i] for i in too_long],
                add_special_tokens=True,
                truncation=True,
                max_length=self.max_tokens,
                return_attention_mask=False,
                return_token_type_ids=False,
            )["input_ids"]
            for i, row in zip(too_long, cut, strict=True):
                ids[i] = row
        return ids

    def prepare(self, rows: list[Sequence[int]]) -> dict[str, Any]:
        """One pass's ids, right-padded into tensors on the model's device."""
        import numpy as np
        import torch

        width = max(len(row) for row in rows)
        input_ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        arrays = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            arrays["token_type_ids"] = np.zeros_like(input_ids)
        on_gpu = self.device.startswith("cuda")
        features = {}
        for name, array in arrays.items():
            tensor = torch.from_numpy(array)
            if on_gpu:  # pinned memory lets the copy run while the GPU computes
                tensor = tensor.pin_memory().to(self.device, non_blocking=True)
            features[name] = tensor
        return features

    def compute(self, features: dict[str, Any]) -> list[Any]:
        """Unit-length float32 vectors (numpy rows), one per row of the pass."""
        import torch

        with torch.inference_mode():
            vectors = self.encoder.forward(features)["sentence_embedding"]
            vectors = torch.nn.functional.normalize(vectors.float(), p=2, dim=1)
            array = vectors.cpu().numpy()
        return list(array)


_models: ModelCache[EmbeddingModel] = ModelCache()


def load(path: str, device: str, threads: int | None) -> EmbeddingModel:
    """Load once per process and (path, device); callers wait for a load in progress."""
    return _models.get((path, device), lambda: _load_uncached(path, device, threads))


def _load_uncached(path: str, device: str, threads: int | None) -> EmbeddingModel:
    _, device = offline_torch(device, threads)
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(path, device=device, local_files_only=True)
    encoder.eval()
    dimension = (
        encoder.get_embedding_dimension()
        if hasattr(encoder, "get_embedding_dimension")
        else encoder.get_sentence_embedding_dimension()  # sentence-transformers < 6
    )
    max_tokens = encoder.max_seq_length
    tokenizer = encoder.tokenizer
    if dimension is None or max_tokens is None or tokenizer is None:
        raise ValueError(f"{path} does not say its tokenizer, embedding dimension and length")
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    return EmbeddingModel(
        encoder=encoder,
        device=str(encoder.device),
        dimension=dimension,
        max_tokens=max_tokens,
        pad_id=pad_id,
        input_names=tuple(tokenizer.model_input_names),
    )
