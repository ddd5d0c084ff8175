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


AUTH = {"authorization": "Bearer test"}


@pytest.mark.parametrize("seconds", [" 3600", "+3600", "٣٦٠٠", "3600 "])
def test_expiry_seconds_must_be_plain_ascii_digits(raw: httpx.Client, seconds: str) -> None:
    response = raw.post(
        "/v1/files",
        headers=AUTH,
        files={"file": ("in.jsonl", LINE, "application/jsonl")},
        data={
            "purpose": "batch",
            "expires_after[anchor]": "created_at",
            "expires_after[seconds]": seconds,
        },
    )
    assert_error(response, 400, param="expires_after.seconds")


def test_an_empty_metadata_key_is_refused(client: OpenAI, raw: httpx.Client) -> None:
    file_id = upload(client).id
    body = {"input_file_id": file_id, "endpoint": "/v1/chat/completions"}
    body |= {"completion_window": "24h", "metadata": {"": "x"}}
    assert_error(raw.post("/v1/batches", headers=AUTH, json=body), 400, param="metadata")


def test_a_huge_input_file_id_is_refused_at_create(raw: httpx.Client) -> None:
    body = {"input_file_id": "f" * 100_000, "endpoint": "/v1/chat/completions"}
    body["completion_window"] = "24h"
    response = raw.post("/v1/batches", headers=AUTH, json=body)
    assert_error(response, 400, param="input_file_id")
    assert len(response.content) < 1024


def test_a_long_metadata_key_and_endpoint_are_not_echoed_in_full(raw: httpx.Client) -> None:
    body = {"input_file_id": "file-x", "endpoint": "/v1/" + "e" * 30_000}
    body["completion_window"] = "24h"
    response = raw.post("/v1/batches", headers=AUTH, json=body)
    assert_error(response, 400, param="endpoint")
    assert len(response.content) < 2048
    body = {"input_file_id": "file-x", "endpoint": "/v1/chat/completions"}
    body |= {"completion_window": "24h", "metadata": {"k" * 30_000: "v"}}
    response = raw.post("/v1/batches", headers=AUTH, json=body)
    assert_error(response, 400, code="property_name_above_max_length", param="metadata")
    assert len(response.content) < 2048


@pytest.mark.parametrize("name", ["a\x00b", "line\nbreak", "bell\x07"])
def test_webhook_names_refuse_control_characters(raw: httpx.Client, name: str) -> None:
    body = {"name": name, "url": "https://example.com/hook", "event_types": ["batch.completed"]}
    response = raw.post("/v1/webhook_endpoints", headers=AUTH, json=body)
    assert_error(response, 400, param="name")
