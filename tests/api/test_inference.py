"""Synchronous `/v1/embeddings`, `/v1/chat/completions` and `/v1/completions`, via the SDK."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from openai import OpenAI
from tests.threaded_server import serving

from batchyard.api import create_app
from batchyard.backends import Backends
from batchyard.blobs import LocalBlobStore
from batchyard.config import ModelConfig, Settings, local_extra_installed
from batchyard.store import Store
from batchyard.testing import free_port

from .support import LiveServer, assert_error

LOCAL = "minilm"
needs_local = pytest.mark.skipif(
    not local_extra_installed(), reason="needs the 'local' extra (sentence-transformers)"
)


@pytest.fixture
def server(store: Store, tmp_path: Path) -> Iterator[LiveServer]:
    """The API with a mock model, a local embeddings model and an upstream that is down."""
    models = [
        ModelConfig("batchyard-mock", "mock", 16, {"dimensions": 8}),
        ModelConfig("down", "openai", 4, {"base_url": f"http://127.0.0.1:{free_port()}/v1"}),
    ]
    if local_extra_installed():
        models.append(ModelConfig(LOCAL, "local-embeddings", 4, {"device": "cpu"}))
    settings = Settings(data_dir=tmp_path, models=models)
    blobs = LocalBlobStore(settings.blob_dir)
    backends = Backends(settings)
    app = create_app(settings, store, blobs, backends=backends)
    try:
        with serving(app) as url:
            yield LiveServer(url, settings, store, blobs)
    finally:
        asyncio.run(backends.aclose())


@pytest.fixture
def client(server: LiveServer) -> Iterator[OpenAI]:
    """The SDK as users run it: not strict, since `embeddings.create` asks for base64 by
    default and decodes it after the (strict) schema check would have refused it."""
    with OpenAI(base_url=server.base_url, api_key="test", max_retries=0) as sdk:
        yield sdk


@needs_local
def test_embeddings_through_the_sdk_match_the_model(client: OpenAI) -> None:
    import numpy as np  # comes with the local extra, as the model does

    texts = ["A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell."]
    response = client.embeddings.create(model=LOCAL, input=texts)

    assert response.model == LOCAL
    assert [d.index for d in response.data] == [0, 1, 2]
    vectors = np.array([d.embedding for d in response.data])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
    # [CLS] ... [SEP]: every text costs its word pieces plus two.
    assert response.usage.prompt_tokens == response.usage.total_tokens > 3 * 2


@needs_local
def test_base64_embeddings_decode_to_the_float_vector(client: OpenAI) -> None:
    import numpy as np  # comes with the local extra, as the model does

    floats = (
        client.embeddings.create(model=LOCAL, input="same text", encoding_format="float")
        .data[0]
        .embedding
    )
    raw = client.with_raw_response.embeddings.create(
        model=LOCAL, input="same text", encoding_format="base64"
    ).http_response.json()
    decoded = np.frombuffer(base64.b64decode(raw["data"][0]["embedding"]), dtype="<f4")
    assert np.allclose(decoded, floats, atol=1e-6)


@needs_local
def test_too_long_input_is_the_models_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.embeddings.create(model=LOCAL, input="word " * 1000)
    assert caught.value.code == "context_length_exceeded"
    assert caught.value.param == "input"


def test_chat_and_completions_answer_with_the_backends_body(client: OpenAI) -> None:
    chat = client.chat.completions.create(
        model="batchyard-mock", messages=[{"role": "user", "content": "hello there"}]
    )
    assert chat.object == "chat.completion"
    assert chat.choices[0].message.role == "assistant"
    assert chat.usage is not None and chat.usage.prompt_tokens > 0

    text = client.completions.create(model="batchyard-mock", prompt="once upon a time")
    assert text.object == "text_completion"
    assert text.choices[0].text

    vectors = client.embeddings.create(model="batchyard-mock", input=["a", "b"])
    assert [len(d.embedding) for d in vectors.data] == [8, 8]


def test_unknown_model_is_404_model_not_found(client: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": "x"}])
    assert caught.value.code == "model_not_found"


@needs_local
def test_a_model_that_does_not_serve_the_endpoint_is_a_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=LOCAL, messages=[{"role": "user", "content": "x"}])
    assert caught.value.code == "model_not_supported"
    assert "batchyard-mock" in caught.value.message


def test_streaming_is_a_clear_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="batchyard-mock", messages=[{"role": "user", "content": "x"}], stream=True
        )
    assert caught.value.code == "streaming_unsupported"
    assert caught.value.param == "stream"


def test_bodies_are_checked_as_batch_lines_are(raw: httpx.Client) -> None:
    assert_error(
        raw.post("/v1/chat/completions", json={"messages": []}),
        400,
        code="missing_required_parameter",
        param="model",
    )
    assert_error(
        raw.post("/v1/chat/completions", json={"model": "batchyard-mock"}),
        400,
        code="missing_required_parameter",
        param="messages",
    )
    assert_error(raw.post("/v1/embeddings", json=["not", "an", "object"]), 400)
    assert_error(raw.post("/v1/embeddings", json={"model": 3, "input": "x"}), 400, param="model")
    assert_error(
        raw.post("/v1/embeddings", content=b"{oops", headers={"content-type": "application/json"}),
        400,
    )


def test_the_mock_refuses_what_openai_refuses(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="batchyard-mock",
            messages=[{"rolez": "user", "contentz": "hi"}],  # type: ignore[list-item]
        )
    assert caught.value.status_code == 400
    assert caught.value.code == "missing_required_parameter"
    assert caught.value.param == "messages[0].role"
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="batchyard-mock", messages=[{"role": "user", "content": "x"}], top_p=1.5
        )
    assert caught.value.param == "top_p"
    with pytest.raises(openai.BadRequestError) as caught:
        client.completions.create(model="batchyard-mock", prompt="x", n=0)
    assert caught.value.param == "n"


def test_an_upstream_that_does_not_answer_is_a_retryable_5xx(client: OpenAI) -> None:
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(model="down", messages=[{"role": "user", "content": "x"}])
    assert caught.value.status_code == 502


def test_calls_need_a_key_once_keys_exist(server: LiveServer) -> None:
    key = server.store.keys.create("acme", int(time.time()))[1]
    anonymous = OpenAI(base_url=server.base_url, api_key="nope", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        anonymous.embeddings.create(model="batchyard-mock", input="x")
    keyed = OpenAI(base_url=server.base_url, api_key=key, max_retries=0)
    assert keyed.embeddings.create(model="batchyard-mock", input="x").data


def test_sync_calls_are_counted_in_metrics(client: OpenAI, raw: httpx.Client) -> None:
    client.embeddings.create(model="batchyard-mock", input="x")
    text = raw.get("/metrics").text
    assert (
        'batchyard_sync_responses_total{endpoint="/v1/embeddings",model="batchyard-mock",'
        'status="200"} 1.0' in text
    )
