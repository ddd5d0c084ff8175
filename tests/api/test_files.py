"""Files API through the official SDK: spec §11 F1-F11, plus house rules."""

from __future__ import annotations

import time

import httpx
import openai
import pytest
from openai import AsyncOpenAI, OpenAI

from .support import LINE, LiveServer, assert_error, complete_batch, create_batch, upload

DAY = 86400


def test_f1_upload_returns_file_object(client: OpenAI) -> None:
    before = int(time.time())
    f = upload(client, LINE * 3, "a.jsonl")
    assert f.object == "file"
    assert f.id.startswith("file-") and len(f.id) == len("file-") + 22
    assert f.purpose == "batch"
    assert f.bytes == len(LINE) * 3
    assert f.filename == "a.jsonl"
    assert f.status == "processed"
    assert isinstance(f.created_at, int) and f.created_at >= before


def test_f2_batch_files_expire_after_30_days_by_default(client: OpenAI) -> None:
    f = upload(client)
    assert f.expires_at == f.created_at + 30 * DAY
    other = upload(client, b"anything", "notes.txt", purpose="user_data")
    assert other.expires_at is None


def test_f3_expires_after(client: OpenAI) -> None:
    f = upload(client, expires_after={"anchor": "created_at", "seconds": 3600})
    assert f.expires_at == f.created_at + 3600
    top = upload(client, expires_after={"anchor": "created_at", "seconds": 30 * DAY})
    assert top.expires_at == top.created_at + 30 * DAY
    with pytest.raises(openai.BadRequestError) as low:
        upload(client, expires_after={"anchor": "created_at", "seconds": 3599})
    assert (low.value.code, low.value.param) == ("integer_below_min_value", "expires_after.seconds")
    with pytest.raises(openai.BadRequestError) as high:
        upload(client, expires_after={"anchor": "created_at", "seconds": 30 * DAY + 1})
    assert high.value.code == "integer_above_max_value"
    with pytest.raises(openai.BadRequestError) as anchor:
        upload(client, expires_after={"anchor": "last_active_at", "seconds": 3600})
    assert (anchor.value.code, anchor.value.param) == ("invalid_value", "expires_after.anchor")


@pytest.mark.parametrize(
    ("fields", "code", "param"),
    [
        ({"expires_after[seconds]": "3600"}, "missing_required_parameter", "expires_after.anchor"),
        (
            {"expires_after[anchor]": "created_at"},
            "missing_required_parameter",
            "expires_after.seconds",
        ),
        (
            {"expires_after[anchor]": "created_at", "expires_after[seconds]": "soon"},
            "invalid_type",
            "expires_after.seconds",
        ),
    ],
)
def test_f3_expires_after_half_or_garbled(
    raw: httpx.Client, fields: dict[str, str], code: str, param: str
) -> None:
    response = raw.post(
        "/v1/files", data={"purpose": "batch", **fields}, files={"file": ("a.jsonl", LINE)}
    )
    assert_error(response, 400, code=code, param=param)


def test_f4_batch_upload_must_be_jsonl(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        upload(client, LINE, "requests.txt")
    assert "Must be .jsonl" in exc.value.message
    assert upload(client, LINE, "requests.txt", purpose="user_data").filename == "requests.txt"


@pytest.mark.parametrize("purpose", ["invalid", "batch_output", ""])
def test_f5_invalid_purpose(client: OpenAI, purpose: str) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        upload(client, purpose=purpose)
    assert (exc.value.param, exc.value.code) == ("purpose", "invalid_value")


def test_f6_retrieve_round_trips_and_404s(client: OpenAI) -> None:
    f = upload(client, expires_after={"anchor": "created_at", "seconds": 7200})
    assert client.files.retrieve(f.id) == f
    with pytest.raises(openai.NotFoundError) as exc:
        client.files.retrieve("file-doesnotexist")
    assert "No such File object" in exc.value.message
    assert exc.value.param == "id"


def test_f7_list_order_filter_and_pages(client: OpenAI, raw: httpx.Client) -> None:
    batch_files = [upload(client, LINE, f"{i}.jsonl") for i in range(3)]
    other = upload(client, b"x", "x.bin", purpose="user_data")
    newest_first = [f.id for f in reversed(batch_files)]
    listed = client.files.list()
    assert listed.has_more is False
    assert [f.id for f in listed.data] == [other.id, *newest_first]
    ascending = client.files.list(order="asc")
    assert [f.id for f in ascending.data] == [f.id for f in batch_files] + [other.id]
    assert [f.id for f in client.files.list(purpose="batch").data] == newest_first
    one = client.files.list(limit=1)
    assert len(one.data) == 1 and one.has_more is True
    assert [f.id for f in client.files.list(limit=1)] == [other.id, *newest_first]
    page = raw.get("/v1/files", params={"limit": 2}).json()
    assert page["object"] == "list" and page["has_more"] is True
    assert (page["first_id"], page["last_id"]) == (other.id, newest_first[0])
    after = client.files.list(after=newest_first[0])
    assert [f.id for f in after.data] == newest_first[1:]


def test_f8_content_and_retrieve_content(client: OpenAI, raw: httpx.Client) -> None:
    data = LINE * 5
    f = upload(client, data)
    assert client.files.content(f.id).content == data
    with pytest.deprecated_call():
        assert client.files.retrieve_content(f.id) == data.decode()
    response = raw.get(f"/v1/files/{f.id}/content")
    assert response.headers["content-type"] == "application/jsonl"
    assert response.headers["content-length"] == str(len(data))
    vision = upload(client, b"\x89PNG\x00\xff", "cat.png", purpose="vision")
    assert client.files.content(vision.id).content == b"\x89PNG\x00\xff"
    assert raw.get(f"/v1/files/{vision.id}/content").headers["content-type"] == (
        "application/octet-stream"
    )


@pytest.mark.parametrize("purpose", ["assistants", "user_data"])
def test_f8_download_forbidden_for_some_purposes(client: OpenAI, purpose: str) -> None:
    f = upload(client, b"secret", "s.txt", purpose=purpose)
    with pytest.raises(openai.BadRequestError) as exc:
        client.files.content(f.id)
    assert exc.value.message.endswith(f"Not allowed to download files of purpose: {purpose}")


def test_f9_delete(client: OpenAI, server: LiveServer) -> None:
    f = upload(client)
    assert server.blob_names() == [f.id]
    deleted = client.files.delete(f.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (f.id, "file", True)
    assert server.blob_names() == []
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(f.id)
    with pytest.raises(openai.NotFoundError):
        client.files.delete(f.id)
    with pytest.raises(openai.NotFoundError):
        client.files.content(f.id)


def test_delete_refused_while_a_batch_reads_the_file(client: OpenAI, server: LiveServer) -> None:
    f = upload(client)
    batch = create_batch(client, f.id)
    with pytest.raises(openai.ConflictError) as exc:
        client.files.delete(f.id)
    assert f.id in exc.value.message
    assert client.files.retrieve(f.id).id == f.id
    complete_batch(server.store, batch.id)
    assert client.files.delete(f.id).deleted is True


def test_f10_wait_for_processing_returns_at_once(client: OpenAI) -> None:
    f = upload(client)
    started = time.monotonic()
    assert client.files.wait_for_processing(f.id, poll_interval=0.01).status == "processed"
    assert time.monotonic() - started < 2


def test_f11_evals_purpose_is_kept_as_user_data(client: OpenAI) -> None:
    f = upload(client, b"{}", "e.jsonl", purpose="evals")
    assert f.purpose == "user_data"
    assert client.files.retrieve(f.id).purpose == "user_data"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("a/b\\c.jsonl", "c.jsonl"),
        ("..", "file"),
        (".", "file"),
        ("", "file"),
        ("/etc/passwd", "passwd"),
        ("C:\\Windows\\system32\\cmd.exe", "cmd.exe"),
        ("....//....//x.jsonl", "x.jsonl"),
        ("..\\..\\..\\boot.ini", "boot.ini"),
        ("%2e%2e%2fpasswd", "%2e%2e%2fpasswd"),
        ("files/../../escape", "escape"),
    ],
)
def test_traversal_filenames_are_metadata_only(
    client: OpenAI, server: LiveServer, sent: str, kept: str
) -> None:
    f = upload(client, LINE, sent, purpose="user_data")
    assert f.filename == kept
    assert server.blob_names() == [f.id]
    root = server.blobs.root.parent
    written = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert [p for p in written if not p.startswith("batchyard.db")] == [f"blobs/files/{f.id}"]


def test_same_filename_never_collides(client: OpenAI, server: LiveServer) -> None:
    first = upload(client, LINE, "same.jsonl")
    second = upload(client, LINE * 2, "same.jsonl")
    assert first.id != second.id and first.filename == second.filename
    assert client.files.content(first.id).content == LINE
    assert client.files.content(second.id).content == LINE * 2
    assert sorted(server.blob_names()) == sorted([first.id, second.id])


def test_control_characters_are_dropped_from_filenames(
    raw: httpx.Client, server: LiveServer
) -> None:
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="be\x07ll\x1b[31m\u202e.jsonl"\r\n\r\n'
        ).encode()
        + LINE
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = raw.post(
        "/v1/files",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["filename"] == "bell[31m.jsonl"
    assert server.blob_names() == [response.json()["id"]]


def test_missing_file_or_purpose(raw: httpx.Client) -> None:
    no_file = raw.post("/v1/files", data={"purpose": "batch"}, files={"other": ("a", b"x")})
    assert_error(no_file, 400, code="missing_required_parameter", param="file")
    no_purpose = raw.post("/v1/files", files={"file": ("a.jsonl", LINE)})
    assert_error(no_purpose, 400, code="missing_required_parameter", param="purpose")


def test_purpose_after_the_file_still_applies(raw: httpx.Client, server: LiveServer) -> None:
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\n\r\n'
        f'data\r\n--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n'
        f"batch\r\n--{boundary}--\r\n"
    ).encode()
    response = raw.post(
        "/v1/files",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert "Must be .jsonl" in assert_error(response, 400)["message"]
    assert server.blob_names() == []


async def test_async_client_files_round_trip(aclient: AsyncOpenAI) -> None:
    f = await aclient.files.create(file=("async.jsonl", LINE), purpose="batch")
    assert (await aclient.files.retrieve(f.id)) == f
    assert [x.id async for x in aclient.files.list(limit=1)] == [f.id]
    assert (await aclient.files.content(f.id)).content == LINE
    assert (await aclient.files.delete(f.id)).deleted is True
    with pytest.raises(openai.NotFoundError):
        await aclient.files.retrieve(f.id)
