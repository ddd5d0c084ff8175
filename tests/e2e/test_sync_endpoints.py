"""`batchyard serve` answers synchronous OpenAI calls beside batches, with or without its engine."""

from __future__ import annotations

import openai
import pytest
from tests.e2e.conftest import ServerFactory, chat_lines, wait_for


@pytest.mark.parametrize("args", [(), ("--no-worker",)], ids=["serve", "api-only"])
def test_sync_calls_are_answered_by_the_configured_models(
    make_server: ServerFactory, args: tuple[str, ...]
) -> None:
    server = make_server(args=args)
    client = server.client()

    chat = client.chat.completions.create(
        model="batchyard-mock", messages=[{"role": "user", "content": "ping"}]
    )
    assert chat.choices[0].message.content
    vectors = client.embeddings.create(model="batchyard-mock", input=["a", "b"])
    assert len(vectors.data) == 2
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="nope", input="a")


def test_sync_calls_and_a_batch_share_the_server(make_server: ServerFactory) -> None:
    server = make_server()
    client = server.client()
    file = client.files.create(file=("in.jsonl", chat_lines(200)), purpose="batch")
    batch = client.batches.create(
        input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    for i in range(5):
        answer = client.chat.completions.create(
            model="batchyard-mock", messages=[{"role": "user", "content": f"now {i}"}]
        )
        assert answer.usage is not None and answer.usage.prompt_tokens > 0
    done = wait_for(client, batch.id, {"completed"})
    assert done.request_counts.completed == 200
