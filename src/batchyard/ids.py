"""Object ids shaped like OpenAI's, from a CSPRNG so they cannot be guessed."""

from __future__ import annotations

import hashlib
import secrets

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(n: int) -> str:
    """`n` random base62 characters (about 5.95 bits each)."""
    return "".join(secrets.choice(BASE62) for _ in range(n))


def file_id() -> str:
    """`file-` + 22 base62 characters, as upstream."""
    return "file-" + base62(22)


def result_file_id(batch_id: str, kind: str) -> str:
    """A stable `file-…` id for a batch's output or error file, so a re-run reuses it."""
    number = int.from_bytes(hashlib.sha256(f"{batch_id}:{kind}".encode()).digest(), "big")
    chars = []
    for _ in range(22):
        number, digit = divmod(number, 62)
        chars.append(BASE62[digit])
    return "file-" + "".join(chars)


def batch_id() -> str:
    """`batch_` + 32 hex characters, as upstream."""
    return "batch_" + secrets.token_hex(16)


def request_id() -> str:
    """An id for one HTTP request (`x-request-id`) or one upstream call."""
    return "req_" + secrets.token_hex(16)


def batch_request_id() -> str:
    """The `id` of one line of an output or error file."""
    return "batch_req_" + secrets.token_hex(16)


def event_id() -> str:
    """`evt_` + 32 hex characters: one webhook event (payload `id`)."""
    return "evt_" + secrets.token_hex(16)


def webhook_id() -> str:
    """`wh_` + 32 hex characters: one event's delivery to one endpoint (`webhook-id`)."""
    return "wh_" + secrets.token_hex(16)


def webhook_endpoint_id() -> str:
    """`we_` + 32 hex characters: a webhook endpoint (upstream's format is unknown)."""
    return "we_" + secrets.token_hex(16)
