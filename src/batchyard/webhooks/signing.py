"""Standard Webhooks signatures, exactly as the openai SDK's `webhooks.unwrap` checks them.

The signed text is `{webhook-id}.{webhook-timestamp}.{body}`, HMAC-SHA256 under
the base64-decoded part of a `whsec_` secret. While a rotated-out secret is still
honoured, each delivery carries one signature per secret; receivers accept any.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """`whsec_` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_hint(secret: str) -> str:
    """Enough of a secret to tell two apart, never enough to sign with."""
    return f"{SECRET_PREFIX}...{secret[-4:]}"


def _key(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX) :])
    return secret.encode()


def signature(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    """One `v1,<base64>` signature."""
    signed = f"{webhook_id}.{timestamp}.{body}".encode()
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(
    webhook_id: str, timestamp: int, body: str, keys: Sequence[str]
) -> dict[str, str]:
    """The headers of one delivery attempt; the timestamp is the attempt's own."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(k, webhook_id, timestamp, body) for k in keys),
    }
