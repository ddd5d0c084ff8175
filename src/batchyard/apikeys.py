"""API keys: made from a CSPRNG, shown once, kept only as a SHA-256 hash.

A key is `sk-by-` and 43 base62 characters (about 256 bits), so a plain,
unsalted SHA-256 is enough: no one can search that space, and a fast hash keeps
the lookup on every request cheap. Only the redacted form (`sk-by-…abcd`) is
ever shown again, in `keys list` and in 401 messages.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from batchyard.ids import base62

KEY_PREFIX = "sk-by-"
_SECRET_CHARS = 43  # log2(62) * 43 ≈ 256 bits
PROJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# A presented key shorter than this is redacted to nothing: its last four characters
# would be too large a share of it.
_MIN_REDACTABLE = 20


def new_key() -> str:
    """A fresh secret key; the caller shows it once and keeps only `key_hash(key)`."""
    return KEY_PREFIX + base62(_SECRET_CHARS)


def new_key_id() -> str:
    """The public id of a key (`key_…`), for `keys list` and `keys revoke`."""
    return "key_" + secrets.token_hex(8)


def key_hash(key: str) -> str:
    """What the store keeps and looks keys up by: hex SHA-256 of the whole key."""
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def same_hash(a: str, b: str) -> bool:
    """Constant-time comparison of two hashes."""
    return hmac.compare_digest(a.encode(), b.encode())


def redact(key: str) -> str:
    """`sk-by-…abcd`: enough to tell keys apart, never enough to use one."""
    if len(key) < _MIN_REDACTABLE:
        return "…"
    head = KEY_PREFIX if key.startswith(KEY_PREFIX) else key[:3]
    return f"{head}…{key[-4:]}"


def check_project_name(name: str) -> str:
    """A project name is 1-64 letters, digits, `_`, `.` or `-`, starting alphanumeric."""
    if not PROJECT_NAME.match(name):
        raise ValueError(
            f"invalid project name {name!r}: use 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return name
