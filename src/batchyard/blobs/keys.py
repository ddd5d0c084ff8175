"""What a blob key may look like: ids and dots under fixed folders, never `..`."""

from __future__ import annotations

import re

_KEY = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-.]+)*$")


def check_key(key: str) -> str:
    """Return `key` if it is safe as a path or an object name; raise ValueError if not."""
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"bad blob key: {key!r}")
    return key


def file_key(file_id: str) -> str:
    """Where a file's bytes live: an upload, or a batch's output or error file."""
    return f"files/{file_id}"


def journal_folder(batch_id: str) -> str:
    """The folder of a batch's journal segments; deleted whole once the batch is final."""
    return f"journals/{batch_id}"


def segment_key(batch_id: str, shard_index: int, epoch: int) -> str:
    """One shard's journal segment for one lease epoch (a re-claim writes a new one)."""
    return f"{journal_folder(batch_id)}/{shard_index:06d}.{epoch:04d}"
