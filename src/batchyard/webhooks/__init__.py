"""Webhooks: events signed per Standard Webhooks, delivered durably with retries.

The store writes events and the outbox (`store/webhooks.py`); this package signs
and sends them (`Deliverer`, run by the engine) and says which URLs may receive them.
"""

from batchyard.webhooks.delivery import Attempt, Deliverer, http_client, post_event
from batchyard.webhooks.signing import new_secret, secret_hint, signed_headers
from batchyard.webhooks.urls import url_problem

__all__ = [
    "Attempt",
    "Deliverer",
    "http_client",
    "new_secret",
    "post_event",
    "secret_hint",
    "signed_headers",
    "url_problem",
]
