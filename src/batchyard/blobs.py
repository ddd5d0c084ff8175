"""File bytes and result journals, kept under keys that batchyard makes itself.

Keys are built from ids (`files/file-…`, `journals/batch_…/3.1`), never from a
client's filename, so no upload can name a path. The local store writes through a
temporary file and a rename, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

_KEY = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-.]+)*$")


class BlobStore(Protocol):
    """Where bytes live: a local folder now, S3-compatible storage later."""

    def writer(self, key: str) -> AbstractContextManager[BinaryIO]: ...
    def reader(self, key: str) -> AbstractContextManager[BinaryIO]: ...
    def appender(self, key: str) -> Journal: ...
    def size(self, key: str) -> int | None: ...
    def keys(self, prefix: str) -> list[str]: ...
    def delete(self, key: str) -> None: ...
    def delete_prefix(self, prefix: str) -> None: ...


class Journal:
    """An append-only file whose `sync()` makes everything written so far durable."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "ab")  # noqa: SIM115 - lives as long as the journal
        self.path = path

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def sync(self) -> int:
        """Flush and fsync; return the durable size in bytes."""
        self._file.flush()
        os.fsync(self._file.fileno())
        return self._file.tell()

    def close(self) -> None:
        if not self._file.closed:
            self.sync()
            self._file.close()


class LocalBlobStore:
    """Blobs as files under one folder."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key) or ".." in key:
            raise ValueError(f"bad blob key: {key!r}")
        return self.root / key

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        """Write a whole blob; it appears under `key` only if the block ends without error."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{id(path)}.tmp")
        try:
            with open(tmp, "wb") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @contextmanager
    def reader(self, key: str) -> Iterator[BinaryIO]:
        with open(self._path(key), "rb") as fh:
            yield fh

    def appender(self, key: str) -> Journal:
        return Journal(self._path(key))

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def keys(self, prefix: str) -> list[str]:
        """Keys directly under the folder `prefix`, sorted."""
        folder = self._path(prefix)
        if not folder.is_dir():
            return []
        return sorted(f"{prefix}/{p.name}" for p in folder.iterdir() if not p.name.startswith("."))

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix), ignore_errors=True)
