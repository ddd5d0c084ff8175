"""What a blob key may look like: ids and dots under fixed folders, never `..`."""

from __future__ import annotations

import re

_KEY = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-.]+)*$")


def check_key(key: str) -> str:
    """Return `key` if it is safe as a path or an object name; raise ValueError if not."""
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"bad blob key: {key!r}")
    return key
