"""Helpers shared by the API tests: uploads, envelopes, and driving a batch's status."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from openai import OpenAI
from openai.types import Batch, FileObject

from batchyard.blobs import LocalBlobStore
from batchyard.config import Settings
from batchyard.records import ShardProgress, ShardRecord, Usage
from batchyard.store import Store

LINE = b'{"custom_id":"r1","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}\n'
OWNER = "tests"

# Small caps, set in the test server's Settings, so the size limits are cheap to hit.
MAX_UPLOAD_BYTES = 64 * 1024
MAX_BATCH_FILE_BYTES = 16 * 1024


@dataclass
class LiveServer:
    """A running app and the parts it was built from."""

    url: str
    settings: Settings
    store: Store
    blobs: LocalBlobStore
    wakes: list[float] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def blob_names(self) -> list[str]:
        """Every file under the blob folder, temporary ones included."""
        folder = self.blobs.root / "files"
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def upload(client: OpenAI, data: bytes = LINE, name: str = "in.jsonl", **kw: Any) -> FileObject:
    kw.setdefault("purpose", "batch")
    return client.files.create(file=(name, data, "application/jsonl"), **kw)


def create_batch(client: OpenAI, file_id: str | None = None, **kw: Any) -> Batch:
    if file_id is None:
        file_id = upload(client).id
    kw.setdefault("endpoint", "/v1/chat/completions")
    kw.setdefault("completion_window", "24h")
    return client.batches.create(input_file_id=file_id, **kw)


def assert_error(
    response: httpx.Response, status: int, *, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    """The response is OpenAI's error envelope with this status (and code and param)."""
    assert response.status_code == status, response.text
    assert response.headers["x-request-id"].startswith("req_")
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    if param is not None:
        assert error["param"] == param, error
    return dict(error)


def complete_batch(store: Store, batch_id: str, usage: Usage | None = None) -> None:
    """Walk a batch through the store's own lifecycle verbs to `completed`."""
    now = int(time.time())
    claimed = store.claim_validation(OWNER, now, 30)
    assert claimed is not None and claimed.id == batch_id
    shard = ShardRecord(batch_id, index=0, first_line=1, last_line=1, start=0, end=1, requests=1)
    store.start_batch(batch_id, OWNER, "batchyard-mock", [shard], now)
    claim = store.claim_shard(OWNER, now, 30)
    assert claim is not None
    store.checkpoint_shard(claim.shard, ShardProgress(completed=1), now, 30, done=True)
    final = store.claim_finalization(OWNER, now, 30)
    assert final is not None and final.id == batch_id
    store.finish_batch(
        batch_id,
        OWNER,
        output_file=None,
        error_file=None,
        completed=1,
        failed=0,
        usage=usage or Usage(),
        now=now,
    )


def fail_batch(store: Store, batch_id: str, errors: list[dict[str, Any]]) -> None:
    """End a batch in `failed`, as the validator does."""
    now = int(time.time())
    claimed = store.claim_validation(OWNER, now, 30)
    assert claimed is not None and claimed.id == batch_id
    store.fail_validation(batch_id, OWNER, errors, now)
