"""Blobs as files under one folder: written through a temporary file and a rename.

A reader never sees half a file, and a journal is one file per segment,
appended to and fsynced at each checkpoint.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

from batchyard.blobs.keys import check_key


class FileJournal:
    """A journal as one append-only file; `sync()` is flush plus fsync."""

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


class _Window(io.RawIOBase):
    """At most `length` bytes of an open file, from where it stands."""

    def __init__(self, file: BinaryIO, length: int) -> None:
        self._file = file
        self._left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        data = self._file.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


class LocalBlobStore:
    """Blobs as files under one folder."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

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
    def reader(self, key: str, start: int = 0, end: int | None = None) -> Iterator[BinaryIO]:
        with open(self._path(key), "rb") as fh:
            if start == 0 and end is None:
                yield fh
                return
            fh.seek(start)
            if end is None:
                yield fh
                return
            window = io.BufferedReader(_Window(fh, max(0, end - start)))
            yield cast(BinaryIO, window)

    def appender(self, key: str) -> FileJournal:
        return FileJournal(self._path(key))

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def keys(self, prefix: str) -> list[str]:
        """Keys directly under the folder `prefix`, sorted; temporary files are not keys."""
        folder = self._path(prefix)
        if not folder.is_dir():
            return []
        return sorted(f"{prefix}/{p.name}" for p in folder.iterdir() if not p.name.startswith("."))

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix), ignore_errors=True)
