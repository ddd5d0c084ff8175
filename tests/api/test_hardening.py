"""Attacker-style requests found by fuzzing (issue 19): each a 4xx, never a 5xx."""

from __future__ import annotations

import httpx
import pytest
from openai import OpenAI

from .support import LINE, assert_error, create_batch, upload


def test_output_after_past_ssize_t_is_a_400_not_a_500(client: OpenAI, raw: httpx.Client) -> None:
    batch = create_batch(client)
    response = raw.get(
        f"/v1/batches/{batch.id}/output",
        params={"after": "9223372036854775808"},
        headers={"authorization": "Bearer test"},
    )
    assert_error(response, 400, param="after")
    response = raw.get(
        f"/v1/batches/{batch.id}/output",
        params={"after": str(2**63 - 1)},
        headers={"authorization": "Bearer test"},
    )
    assert response.status_code == 200 and response.content == b""


def test_a_300_character_jsonl_name_is_kept_as_jsonl(client: OpenAI) -> None:
    name = "n" * 300 + ".jsonl"
    file = upload(client, LINE, name=name)
    assert file.filename.endswith(".jsonl")
    assert len(file.filename) == 255
    assert file.filename == "n" * 249 + ".jsonl"


def test_a_long_name_without_jsonl_is_still_refused(client: OpenAI) -> None:
    with pytest.raises(Exception) as caught:
        upload(client, LINE, name="n" * 300 + ".txt")
    assert "Must be .jsonl" in str(caught.value)


def test_a_20000_character_filename_gets_a_clear_400(raw: httpx.Client) -> None:
    name = "n" * 20_000 + ".jsonl"
    response = raw.post(
        "/v1/files",
        headers={"authorization": "Bearer test"},
        files={"file": (name, LINE, "application/jsonl")},
        data={"purpose": "batch"},
    )
    error = assert_error(response, 400, param="file")
    assert "filename" in error["message"]
    assert len(response.content) < 1024
