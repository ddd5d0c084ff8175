"""File bytes and result journals, kept under keys that batchyard makes itself.

Keys are built from ids (`files/file-…`, `journals/batch_…/000003.0001`), never
from a client's filename, so no upload can name a path. Two stores keep them: a
local folder (`local.py`) and S3-compatible object storage (`s3.py`). Both show
a blob only once it is whole, and both read byte ranges without fetching the rest.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol
from urllib.parse import urlsplit

from batchyard.blobs.keys import check_key
from batchyard.blobs.local import LocalBlobStore

if TYPE_CHECKING:
    from batchyard.config import S3Settings


class Journal(Protocol):
    """An append-only log whose `sync()` makes everything written so far durable.

    `write` is called from the event loop's thread and `sync` from a worker
    thread, possibly at the same moment; implementations must allow that.
    """

    def write(self, data: bytes) -> None: ...

    def sync(self) -> int:
        """Make every byte written so far durable; return how many are."""
        ...

    def close(self) -> None:
        """Sync, then release the journal."""
        ...


class BlobStore(Protocol):
    """Where bytes live. The engine, the API and the finalizer see only this.

    A missing key raises FileNotFoundError on `reader`. A journal opened with
    `appender(key)` is read back as the blobs `keys()` lists for its folder whose
    names are the journal's name or start with it plus `.`, in key order: a local
    folder keeps one file, object storage one object per `sync()`.
    """

    def writer(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Write a whole blob; it appears under `key` only if the block ends without error."""
        ...

    def reader(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AbstractContextManager[BinaryIO]:
        """Read bytes `start` up to `end` (exclusive; None: to the end), streaming."""
        ...

    def appender(self, key: str) -> Journal: ...

    def size(self, key: str) -> int | None:
        """The blob's size in bytes, or None if there is no such blob."""
        ...

    def keys(self, prefix: str) -> list[str]:
        """The keys directly under the folder `prefix`, sorted."""
        ...

    def delete(self, key: str) -> None:
        """Remove a blob; a missing one is not an error."""
        ...

    def delete_prefix(self, prefix: str) -> None:
        """Remove every blob under the folder `prefix`."""
        ...


def open_blob_store(url: str | None, default_dir: Path, s3: S3Settings) -> BlobStore:
    """The store a `blob_url` names: `s3://bucket/prefix`, `file:///path` or a path.

    None means the local folder `default_dir`.
    """
    if url is None:
        return LocalBlobStore(default_dir)
    parts = urlsplit(url)
    if parts.scheme == "s3":
        from batchyard.blobs.s3 import S3BlobStore  # boto3 loads only when S3 is used

        return S3BlobStore.from_url(url, s3)
    if parts.scheme == "file":
        return LocalBlobStore(Path(parts.path))
    if parts.scheme == "":
        return LocalBlobStore(Path(url))
    raise ValueError(f"blob_url {url!r}: use s3://bucket/prefix, file:///path or a path")


__all__ = ["BlobStore", "Journal", "LocalBlobStore", "check_key", "open_blob_store"]
