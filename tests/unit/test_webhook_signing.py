"""Our signatures against the openai SDK's verifier and the published test vector."""

from __future__ import annotations

import time

import openai
import pytest
from openai import OpenAI

from batchyard.webhooks import new_secret, secret_hint, signed_headers, url_problem

# PY tests/lib/test_webhooks.py, re-verified with openai 3.57.0 (spec §6.4).
SECRET = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c="
PAYLOAD = (
    '{"id": "evt_685c059ae3a481909bdc86819b066fb6", "object": "event", "created_at": '
    '1750861210, "type": "response.completed", "data": {"id": "resp_123"}}'
)


def test_the_published_vector() -> None:
    headers = signed_headers("wh_685c059ae39c8190af8c71ed1022a24d", 1750861210, PAYLOAD, [SECRET])
    assert headers["webhook-signature"] == "v1,gUAg4R2hWouRZqRQG4uJypNS8YK885G838+EHb4nKBY="


def test_the_sdk_accepts_any_of_several_signatures_and_no_other_secret() -> None:
    sdk = OpenAI(api_key="unused")
    old, new = new_secret(), new_secret()
    body = '{"id":"evt_1","object":"event","created_at":1,"type":"batch.failed","data":{"id":"b"}}'
    headers = signed_headers("wh_1", int(time.time()), body, [new, old])
    for secret in (new, old):
        assert sdk.webhooks.unwrap(body, headers, secret=secret).type == "batch.failed"
    with pytest.raises(openai.InvalidWebhookSignatureError):
        sdk.webhooks.unwrap(body, headers, secret=new_secret())
    with pytest.raises(openai.InvalidWebhookSignatureError):
        sdk.webhooks.unwrap(body.replace("failed", "expired"), headers, secret=new)


def test_secrets_and_hints() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 44
    assert secret != new_secret()
    assert secret_hint(secret) == "whsec_..." + secret[-4:]


@pytest.mark.parametrize(
    ("url", "allow_http", "ok"),
    [
        ("https://hooks.example.com/x", False, True),
        ("http://127.0.0.1:8080/x", False, True),
        ("http://127.8.0.1/x", False, True),
        ("http://[::1]:9/x", False, True),
        ("http://localhost/x", False, True),
        ("http://hooks.example.com/x", False, False),
        ("http://10.0.0.5/x", False, False),
        ("http://hooks.example.com/x", True, True),
        ("https:///x", False, False),
        ("https://h:port/x", False, False),
        ("file:///etc/passwd", True, False),
        ("https://user:pw@example.com/", False, False),
        ("https://example.com/" + "a" * 2048, False, False),
    ],
)
def test_which_urls_may_receive_webhooks(url: str, allow_http: bool, ok: bool) -> None:
    assert (url_problem(url, allow_http=allow_http) is None) is ok
