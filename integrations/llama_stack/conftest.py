"""The fixtures llama-stack's batch suite asks of its own conftest, pointed at batchyard.

llama-stack's tests/integration/batches (from its sdist, unchanged) take `openai_client`,
`text_model_id` and `embedding_model_id` from llama-stack's top-level conftest, which
starts or finds a llama-stack server. This file stands in for that conftest only: the
client is built as llama-stack builds it in server mode (`{base_url}/v1`, no retries,
30 s timeout), on the base URL in BATCHYARD_BASE_URL. The suite's own conftest
(`batch_helper`) and tests run as published.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from openai import OpenAI


@pytest.fixture(scope="session")
def openai_client() -> Iterator[OpenAI]:
    client = OpenAI(
        base_url=os.environ["BATCHYARD_BASE_URL"],
        api_key=os.environ.get("OPENAI_API_KEY", "fake"),
        max_retries=0,
        timeout=30.0,
    )
    yield client
    client.close()


@pytest.fixture(scope="session")
def text_model_id() -> str:
    return os.environ["LLAMA_STACK_TEXT_MODEL"]


@pytest.fixture(scope="session")
def embedding_model_id() -> str:
    return os.environ["LLAMA_STACK_EMBEDDING_MODEL"]
