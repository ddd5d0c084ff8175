"""`GET /v1/models` and `/v1/models/{id}` through the SDK's `client.models`, strictly typed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from openai import OpenAI
from tests.threaded_server import serving

from batchyard.api import create_app
from batchyard.blobs import LocalBlobStore
from batchyard.config import ModelConfig, Settings
from batchyard.store import Store

from .support import assert_error


@pytest.fixture
def base_url(store: Store, tmp_path: Path) -> Iterator[str]:
    models = [
        ModelConfig("batchyard-mock", "mock", 16, {}),
        ModelConfig("org/llama-3", "openai", 4, {"base_url": "http://127.0.0.1:9/v1"}),
    ]
    settings = Settings(data_dir=tmp_path, models=models)
    app = create_app(settings, store, LocalBlobStore(settings.blob_dir))
    with serving(app) as url:
        yield f"{url}/v1"


@pytest.fixture
def sdk(base_url: str) -> Iterator[OpenAI]:
    with OpenAI(
        base_url=base_url, api_key="test", max_retries=0, _strict_response_validation=True
    ) as client:
        yield client


def test_list_names_every_configured_model_in_openai_shape(sdk: OpenAI) -> None:
    page = sdk.models.list()
    assert [m.id for m in page.data] == ["batchyard-mock", "org/llama-3"]
    for model in page.data:
        assert model.object == "model"
        assert model.owned_by == "batchyard"
        assert model.created > 1_600_000_000
    extra = page.data[1].model_extra or {}
    assert extra["batchyard"]["backend"] == "openai"
    assert "/v1/chat/completions" in extra["batchyard"]["endpoints"]
    assert "/v1/embeddings" in (page.data[0].model_extra or {})["batchyard"]["endpoints"]


def test_retrieve_one_model_even_with_a_slash_in_its_id(sdk: OpenAI) -> None:
    model = sdk.models.retrieve("org/llama-3")
    assert (model.id, model.object, model.owned_by) == ("org/llama-3", "model", "batchyard")
    assert model.created == sdk.models.retrieve("batchyard-mock").created


def test_an_unknown_model_is_404_model_not_found_listing_the_known_ones(sdk: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.models.retrieve("gpt-9")
    body = caught.value.body
    assert isinstance(body, dict)
    assert body["code"] == "model_not_found"
    assert body["param"] == "model"
    assert "'gpt-9' does not exist" in body["message"]
    assert "Models on this server: batchyard-mock, org/llama-3." in body["message"]


def test_a_synchronous_call_to_an_unknown_model_lists_the_known_ones(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/chat/completions",
        json={"model": "gpt-9", "messages": [{"role": "user", "content": "hi"}]},
    )
    error = assert_error(response, 404, code="model_not_found", param="model")
    assert "Models on this server: batchyard-mock, org/llama-3." in error["message"]
