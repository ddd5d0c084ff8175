"""The malformed-file corpus through a real server: each batch fails naming the
code and line, valid ones complete, no request is a 5xx, and the server stays up."""

from __future__ import annotations

import httpx
from tests.unit.test_bad_jsonl import CORPUS

from .conftest import ServerFactory, wait_for

TERMINAL = {"failed", "completed", "expired", "cancelled"}
# The byte-cap case needs a small cap of its own; the unit corpus test covers it.
SKIP = {"over the byte cap"}


def test_the_corpus_through_the_server(make_server: ServerFactory) -> None:
    server = make_server(
        models=[{"name": "m", "backend": "mock"}, {"name": "other", "backend": "mock"}],
        limits={"max_requests_per_batch": 10, "max_batch_file_bytes": 20_000_000},
    )
    client = server.client()
    with httpx.Client(base_url=server.base_url.removesuffix("/v1"), timeout=30) as http:
        for name, (data, expected) in CORPUS.items():
            if name in SKIP:
                continue
            file = client.files.create(file=("in.jsonl", data), purpose="batch")
            batch = client.batches.create(
                input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h"
            )
            done = wait_for(client, batch.id, TERMINAL)
            if expected:
                assert done.status == "failed", name
                got = [(e.code, e.line) for e in done.errors.data]
                assert got == expected, (name, got)
            else:
                assert done.status == "completed", (name, done.errors)
                assert done.request_counts.failed == 0
            assert http.get("/health").json() == {"status": "ok"}, name
    assert "unhandled" not in server.log.read_text()
