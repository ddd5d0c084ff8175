"""Blobs in S3-compatible object storage (AWS S3, MinIO, Ceph RGW, Cloudflare R2).

Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID and friends, a
profile, an instance role); the endpoint from `[s3] endpoint_url`, or from
AWS_ENDPOINT_URL as boto3 reads it. Writes stream as multipart uploads, one
part in memory at a time, and the object appears only when the upload is
completed. Reads stream as ranged GETs of `read_chunk_bytes` each, pinned to the
object's ETag so a blob replaced mid-read is noticed rather than spliced.

S3 cannot append, so a journal is a series of small objects: each `sync()`
(each checkpoint) writes the bytes since the last one as `<key>.<seq>`, and
readers list and read them in key order. The durability window stays one
checkpoint; the price is one PUT per running shard per checkpoint.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, BinaryIO, cast
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from batchyard.blobs.keys import check_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from batchyard.config import S3Settings

MB = 1024 * 1024
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in _MISSING


class S3Journal:
    """A journal as numbered objects, one per `sync()` that had something to write."""

    def __init__(self, blobs: S3BlobStore, key: str) -> None:
        self._blobs = blobs
        self._key = key
        self._buffer = bytearray()
        self._lock = threading.Lock()  # `write` runs on the event loop, `sync` in a thread
        self._seq = 0
        self._durable = 0

    def write(self, data: bytes) -> None:
        with self._lock:
            self._buffer += data

    def sync(self) -> int:
        with self._lock:
            data, self._buffer = bytes(self._buffer), bytearray()
        if data:
            self._seq += 1
            try:
                self._blobs.put(f"{self._key}.{self._seq:06d}", data)
            except BaseException:
                with self._lock:  # keep the bytes for the next sync, in order
                    self._buffer[:0] = data
                raise
            self._durable += len(data)
        return self._durable

    def close(self) -> None:
        self.sync()


class _MultipartWriter(io.RawIOBase):
    """Buffers one part; uploads each full part; small blobs go up in one PUT at the end."""

    def __init__(self, client: S3Client, bucket: str, name: str, part_bytes: int) -> None:
        self._client, self._bucket, self._name = client, bucket, name
        self._part_bytes = part_bytes
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._buffer += view
        self._written += len(view)
        while len(self._buffer) >= self._part_bytes:
            part = bytes(self._buffer[: self._part_bytes])
            del self._buffer[: self._part_bytes]
            self._upload_part(part)
        return len(view)

    def tell(self) -> int:
        return self._written

    def _upload_part(self, data: bytes) -> None:
        if self._upload_id is None:
            created = self._client.create_multipart_upload(Bucket=self._bucket, Key=self._name)
            self._upload_id = created["UploadId"]
        number = len(self._parts) + 1
        answer = self._client.upload_part(
            Bucket=self._bucket,
            Key=self._name,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=data,
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def commit(self) -> None:
        if self._upload_id is None:
            self._client.put_object(Bucket=self._bucket, Key=self._name, Body=bytes(self._buffer))
            return
        if self._buffer:
            self._upload_part(bytes(self._buffer))
        self._client.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._name,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},  # type: ignore[typeddict-item]
        )

    def discard(self) -> None:
        if self._upload_id is not None:
            self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._name, UploadId=self._upload_id
            )


class _RangedReader(io.RawIOBase):
    """Bytes [start, end) of one object, fetched as ranged GETs pinned to its ETag."""

    def __init__(
        self, client: S3Client, bucket: str, name: str, start: int, end: int | None, chunk: int
    ) -> None:
        self._client, self._bucket, self._name = client, bucket, name
        self._pos, self._end, self._chunk = start, end, chunk
        self._etag: str | None = None
        self._body: Any = None
        self._fetch()  # fail at open, as a file would, if the object is missing

    def readable(self) -> bool:
        return True

    def _fetch(self) -> None:
        last = self._pos + self._chunk - 1
        if self._end is not None:
            if self._pos >= self._end:
                self._body = None
                return
            last = min(last, self._end - 1)
        args: dict[str, Any] = {"Bucket": self._bucket, "Key": self._name}
        if self._etag is not None:
            args["IfMatch"] = self._etag
        try:
            answer = self._client.get_object(Range=f"bytes={self._pos}-{last}", **args)
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(self._name) from None
            if exc.response.get("Error", {}).get("Code") == "InvalidRange":
                self._end = self._pos  # past the end (or an empty object): nothing to read
                self._body = None
                return
            raise
        self._etag = answer["ETag"]
        content_range = answer.get("ContentRange")
        if content_range:
            total = int(content_range.rsplit("/", 1)[1])
        elif self._pos == 0:
            total = answer["ContentLength"]  # the whole object came back (an empty one, say)
        else:
            raise OSError(f"{self._name}: the server ignored a range request")
        if self._end is None or self._end > total:
            self._end = total
        self._body = answer["Body"]

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self._body is not None:
            data = self._body.read(len(buffer))
            if data:
                buffer[: len(data)] = data
                self._pos += len(data)
                return len(data)
            self._body.close()
            self._fetch()
        return 0

    def close(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None
        super().close()


class S3BlobStore:
    """Blobs as objects under `s3://bucket/prefix`."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        prefix: str = "",
        *,
        part_bytes: int = 8 * MB,
        read_chunk_bytes: int = 8 * MB,
    ) -> None:
        if part_bytes < 5 * MB:
            raise ValueError("S3 multipart parts must be at least 5 MiB")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.part_bytes = part_bytes
        self.read_chunk_bytes = read_chunk_bytes

    @classmethod
    def from_url(cls, url: str, settings: S3Settings) -> S3BlobStore:
        """Connect to `s3://bucket/prefix` and check that the bucket answers."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"blob_url {url!r}: expected s3://bucket/prefix")
        config = Config(
            retries={"mode": "standard", "max_attempts": 5},
            max_pool_connections=32,
            s3=cast(Any, {"addressing_style": settings.addressing_style}),
            # Checksums only where S3 requires them: several S3-compatible servers
            # reject the CRC headers that newer botocore sends by default.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.endpoint_url,
            region_name=settings.region,
            config=config,
        )
        store = cls(
            client,
            parts.netloc,
            parts.path,
            part_bytes=int(settings.part_size_mb * MB),
        )
        try:
            client.head_bucket(Bucket=store.bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            raise RuntimeError(f"S3 bucket {store.bucket!r} is not usable: {code}") from None
        return store

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes) -> None:
        """Write a small blob in one request."""
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        upload = _MultipartWriter(self.client, self.bucket, self._name(key), self.part_bytes)
        try:
            yield cast(BinaryIO, upload)
        except BaseException:
            upload.discard()
            raise
        upload.commit()

    @contextmanager
    def reader(self, key: str, start: int = 0, end: int | None = None) -> Iterator[BinaryIO]:
        raw = _RangedReader(
            self.client, self.bucket, self._name(key), start, end, self.read_chunk_bytes
        )
        with io.BufferedReader(raw, buffer_size=256 * 1024) as stream:
            yield cast(BinaryIO, stream)

    def appender(self, key: str) -> S3Journal:
        return S3Journal(self, check_key(key))

    def size(self, key: str) -> int | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._name(key))["ContentLength"]
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    def _list(self, prefix: str, *, direct: bool) -> Iterator[str]:
        """Object names under the folder `prefix`: its direct children, or all below it."""
        folder = self._name(prefix) + "/"
        paginator = self.client.get_paginator("list_objects_v2")
        if direct:
            pages = paginator.paginate(Bucket=self.bucket, Prefix=folder, Delimiter="/")
        else:
            pages = paginator.paginate(Bucket=self.bucket, Prefix=folder)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"]

    def keys(self, prefix: str) -> list[str]:
        cut = len(self._name(prefix)) - len(prefix)
        return sorted(name[cut:] for name in self._list(prefix, direct=True))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def delete_prefix(self, prefix: str) -> None:
        names = list(self._list(prefix, direct=False))
        for i in range(0, len(names), 1000):  # DeleteObjects takes at most 1,000 keys
            batch = [{"Key": name} for name in names[i : i + 1000]]
            self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": batch, "Quiet": True},  # type: ignore[typeddict-item]
            )
