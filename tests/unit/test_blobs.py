"""The blob store contract, on a local folder and on S3 (moto's server: an emulator).

The engine and the finalizer see only the `BlobStore` protocol, so each store
must behave the same: whole blobs or none, byte ranges, missing keys, folders,
and journals that keep every synced byte once and in order.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from batchyard.blobs import BlobStore, LocalBlobStore, open_blob_store
from batchyard.blobs.s3 import MB, S3BlobStore
from batchyard.config import S3Settings


@pytest.fixture(params=["local", "s3-emulator"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path)
    url = request.getfixturevalue("s3_blob_url")
    endpoint = request.getfixturevalue("s3_emulator")
    return open_blob_store(url, tmp_path, S3Settings(endpoint_url=endpoint))


@pytest.fixture
def s3(s3_blob_url: str, s3_emulator: str) -> S3BlobStore:
    return S3BlobStore.from_url(s3_blob_url, S3Settings(endpoint_url=s3_emulator))


def put(blobs: BlobStore, key: str, data: bytes) -> None:
    with blobs.writer(key) as fh:
        fh.write(data)


def read(blobs: BlobStore, key: str, start: int = 0, end: int | None = None) -> bytes:
    with blobs.reader(key, start, end) as fh:
        return fh.read()


def test_a_blob_reads_back_whole_and_by_range(blobs: BlobStore) -> None:
    data = bytes(range(256)) * 40
    put(blobs, "files/a", data)
    assert blobs.size("files/a") == len(data)
    assert read(blobs, "files/a") == data
    assert read(blobs, "files/a", 100, 300) == data[100:300]
    assert read(blobs, "files/a", 10_000) == data[10_000:]
    assert read(blobs, "files/a", 9_000, 99_999) == data[9_000:]
    assert read(blobs, "files/a", 20_000) == b""
    put(blobs, "files/lines", b"one\ntwo\nthree")
    with blobs.reader("files/lines") as fh:  # lines, as the journal reader takes them
        assert list(fh) == [b"one\n", b"two\n", b"three"]


def test_an_empty_blob_is_a_blob(blobs: BlobStore) -> None:
    put(blobs, "files/empty", b"")
    assert blobs.size("files/empty") == 0
    assert read(blobs, "files/empty") == b""


def test_a_missing_blob_is_file_not_found(blobs: BlobStore) -> None:
    assert blobs.size("files/nope") is None
    with pytest.raises(FileNotFoundError), blobs.reader("files/nope"):
        pass
    blobs.delete("files/nope")  # not an error


def test_a_failed_write_leaves_nothing(blobs: BlobStore) -> None:
    put(blobs, "files/kept", b"old")
    with pytest.raises(RuntimeError), blobs.writer("files/kept") as fh:
        fh.write(b"new and half")
        raise RuntimeError("client went away")
    assert read(blobs, "files/kept") == b"old"
    assert blobs.keys("files") == ["files/kept"]


def test_keys_lists_a_folder_and_delete_prefix_empties_it(blobs: BlobStore) -> None:
    for key in ("journals/b1/000001.0001", "journals/b1/000000.0001", "journals/b2/000000.0001"):
        put(blobs, key, b"x")
    assert blobs.keys("journals/b1") == ["journals/b1/000000.0001", "journals/b1/000001.0001"]
    assert blobs.keys("journals/none") == []
    blobs.delete_prefix("journals/b1")
    assert blobs.keys("journals/b1") == []
    assert blobs.keys("journals/b2") == ["journals/b2/000000.0001"]


def test_keys_that_could_escape_are_refused(blobs: BlobStore) -> None:
    for bad in ("../etc/passwd", "files/../x", "/abs", "files/a b"):
        with pytest.raises(ValueError):
            blobs.size(bad)


def test_a_journal_reads_back_every_synced_byte_once_in_order(blobs: BlobStore) -> None:
    journal = blobs.appender("journals/b/000000.0001")
    journal.write(b"1\n")
    journal.write(b"2\n")
    assert journal.sync() == 4
    assert journal.sync() == 4  # nothing new: nothing written
    journal.write(b"3\n")
    journal.close()
    keys = blobs.keys("journals/b")
    assert all(k.startswith("journals/b/000000.0001") for k in keys)
    assert b"".join(read(blobs, k) for k in keys) == b"1\n2\n3\n"


def test_writes_during_a_sync_are_never_lost(blobs: BlobStore) -> None:
    """The runner writes on the event loop while a thread syncs."""
    journal = blobs.appender("journals/c/000000.0001")
    stop = threading.Event()

    def syncer() -> None:
        while not stop.is_set():
            journal.sync()

    thread = threading.Thread(target=syncer)
    thread.start()
    try:
        for i in range(3000):
            journal.write(b"%d\n" % i)
    finally:
        stop.set()
        thread.join()
    journal.close()
    data = b"".join(read(blobs, k) for k in blobs.keys("journals/c"))
    assert data.split() == [b"%d" % i for i in range(3000)]


def test_large_files_go_up_in_parts_and_stream_back_in_ranges(s3: S3BlobStore) -> None:
    s3.part_bytes = 5 * MB
    s3.read_chunk_bytes = 1 * MB
    chunk = os.urandom(MB)
    with s3.writer("files/big") as fh:
        for _ in range(11):
            fh.write(chunk)
        assert fh.tell() == 11 * MB
    head = s3.client.head_object(Bucket=s3.bucket, Key=s3._name("files/big"))
    assert head["ETag"].strip('"').endswith("-3")  # a multipart upload of three parts
    with s3.reader("files/big") as fh:  # eleven ranged GETs, read a little at a time
        streamed = b"".join(iter(lambda: fh.read(256 * 1024), b""))
    assert streamed == chunk * 11
    assert (
        read(s3, "files/big", 5 * MB - 10, 5 * MB + 10) == (chunk * 11)[5 * MB - 10 : 5 * MB + 10]
    )


def test_a_failed_multipart_upload_is_aborted(s3: S3BlobStore) -> None:
    s3.part_bytes = 5 * MB
    with pytest.raises(RuntimeError), s3.writer("files/half") as fh:
        fh.write(os.urandom(6 * MB))  # one part is already up
        raise RuntimeError("client went away")
    assert s3.size("files/half") is None
    uploads = s3.client.list_multipart_uploads(Bucket=s3.bucket)
    assert uploads.get("Uploads", []) == []


def test_a_blob_replaced_mid_read_is_an_error_not_a_splice(s3: S3BlobStore) -> None:
    s3.read_chunk_bytes = 1 * MB
    put(s3, "files/r", b"a" * (3 * MB))
    with s3.reader("files/r") as fh:
        assert fh.read(MB) == b"a" * MB
        put(s3, "files/r", b"b" * (3 * MB))
        with pytest.raises(ClientError, match=r"PreconditionFailed|412"):
            fh.read()


def test_the_endpoint_can_come_from_aws_endpoint_url(
    s3_emulator: str, s3_blob_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_emulator)
    store = open_blob_store(s3_blob_url, tmp_path, S3Settings())
    put(store, "files/x", b"hello")
    bucket = s3_blob_url.split("/")[2]
    body = boto3.client("s3", endpoint_url=s3_emulator).get_object(
        Bucket=bucket, Key="batchyard/files/x"
    )["Body"]
    assert body.read() == b"hello"


def test_a_missing_bucket_is_named_at_start(s3_emulator: str) -> None:
    with pytest.raises(RuntimeError, match="no-such-bucket"):
        S3BlobStore.from_url("s3://no-such-bucket/x", S3Settings(endpoint_url=s3_emulator))


def test_blob_urls_pick_the_store(tmp_path: Path) -> None:
    assert isinstance(open_blob_store(None, tmp_path / "d", S3Settings()), LocalBlobStore)
    local = open_blob_store(f"file://{tmp_path}/f", tmp_path / "d", S3Settings())
    assert isinstance(local, LocalBlobStore) and local.root == tmp_path / "f"
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        open_blob_store("gs://bucket/x", tmp_path, S3Settings())
