"""`POST /v1/batches/{id}/retry` on a real server, through the openai SDK's `client.post`.

The new batch must hold exactly the failed (and cancelled) lines of the old one,
byte for byte and in order, name the old batch in its metadata, and stay in the
caller's project: another project's batch is a 404, as an unknown id is.
"""

from __future__ import annotations

import openai
import orjson
import pytest
from openai.types import Batch
from tests.e2e.conftest import ServerFactory, chat_lines, results, wait_for
from tests.e2e.test_isolation import batch, create_key, upload

MODELS = [
    {"name": "flaky", "backend": "mock", "max_concurrency": 8, "error_rate": 0.4, "seed": 7},
    {"name": "batchyard-mock", "backend": "mock", "max_concurrency": 8},
    {"name": "slow", "backend": "mock", "max_concurrency": 1, "latency_ms": 200, "max_group": 1},
]


def retry(client: openai.OpenAI, batch_id: str) -> Batch:
    return client.post(f"/batches/{batch_id}/retry", cast_to=Batch)


def test_retry_makes_a_batch_of_the_failed_lines(make_server: ServerFactory) -> None:
    server = make_server(models=MODELS)
    client = server.client(create_key(server, "alpha"))
    data = chat_lines(30, model="flaky")
    old = wait_for(client, batch(client, upload(client, data)), {"completed"})
    failed_ids = {line["custom_id"] for line in results(client, old.error_file_id)}
    assert 0 < len(failed_ids) < 30

    new = retry(client, old.id)
    assert new.id != old.id and new.status == "validating"
    assert new.metadata == {"batchyard_retry_of": old.id}
    assert new.endpoint == old.endpoint and new.completion_window == old.completion_window
    wanted = [
        line + b"\n" for line in data.splitlines() if orjson.loads(line)["custom_id"] in failed_ids
    ]
    assert client.files.content(new.input_file_id).content == b"".join(wanted)
    done = wait_for(client, new.id, {"completed"})
    assert done.request_counts is not None and done.request_counts.total == len(failed_ids)


def test_retry_of_a_cancelled_batch_takes_the_cancelled_lines(make_server: ServerFactory) -> None:
    server = make_server(models=MODELS)
    client = server.client(create_key(server, "alpha"))
    running = client.batches.create(
        input_file_id=upload(client, chat_lines(40, model="slow")),
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"job": "nightly"},
    )
    wait_for(client, running.id, {"in_progress"})
    with pytest.raises(openai.ConflictError) as refused:
        retry(client, running.id)
    assert refused.value.code == "batch_not_ended"
    client.batches.cancel(running.id)
    cancelled = wait_for(client, running.id, {"cancelled"})
    codes = {line["error"]["code"] for line in results(client, cancelled.error_file_id)}
    assert "batch_cancelled" in codes
    with pytest.raises(openai.BadRequestError) as bad:  # a body's metadata is checked
        client.post(f"/batches/{running.id}/retry", body={"metadata": {"": "x"}}, cast_to=Batch)
    assert bad.value.param == "metadata"
    tagged = {"job": "nightly-retry", "round": "1"}
    new = client.post(f"/batches/{running.id}/retry", body={"metadata": tagged}, cast_to=Batch)
    # The body's metadata over the old; the link is always the server's own.
    assert new.metadata == {"job": "nightly-retry", "round": "1", "batchyard_retry_of": running.id}
    lines = client.files.content(new.input_file_id).content.splitlines()
    assert cancelled.request_counts is not None
    assert len(lines) == 40 - cancelled.request_counts.completed


def test_retry_refusals(make_server: ServerFactory) -> None:
    server = make_server(models=MODELS)
    alpha = server.client(create_key(server, "alpha"))
    beta = server.client(create_key(server, "beta"))
    clean = wait_for(alpha, batch(alpha, upload(alpha, chat_lines(3))), {"completed"})
    with pytest.raises(openai.BadRequestError) as nothing:
        retry(alpha, clean.id)
    assert nothing.value.code == "nothing_to_retry"

    flaky = wait_for(
        alpha, batch(alpha, upload(alpha, chat_lines(20, model="flaky"))), {"completed"}
    )
    for batch_id in (flaky.id, "batch_doesnotexist"):
        with pytest.raises(openai.NotFoundError) as hidden:
            retry(beta, batch_id)
        assert hidden.value.status_code == 404
        assert hidden.value.body == {
            "message": f"No batch found with id '{batch_id}'.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    assert [b.id for b in beta.batches.list()] == []
    assert beta.files.list().data == []
    assert retry(alpha, flaky.id).metadata == {"batchyard_retry_of": flaky.id}
