"""Which URLs an endpoint may have: https, plain http only to this machine.

A receiver on loopback (a test, a local relay) needs no TLS; anything else in
clear text would expose signed events on the network, so it needs
`[webhooks] allow_http = true`. This is the URL's form only: where its host
resolves to is checked by addresses.py (loopback too needs
`[webhooks] allowed_networks`).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str, *, allow_http: bool) -> str | None:
    """Why `url` cannot receive webhooks, or None if it can."""
    if len(url) > MAX_URL_LENGTH:
        return f"the URL is longer than {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        return "the URL cannot be parsed"
    if parts.scheme not in ("https", "http") or not host:
        return "the URL must be absolute, https://host/..."
    if parts.username or parts.password:
        return "the URL must not carry a user name or password"
    if parts.scheme == "http" and not allow_http and not is_loopback(host):
        return "plain http:// is only allowed to loopback addresses; use https://"
    return None
