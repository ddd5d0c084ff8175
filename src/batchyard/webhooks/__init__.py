"""Webhooks: events signed per Standard Webhooks, delivered durably with retries.

The store writes events and the outbox (`store/webhooks.py`); this package signs
and sends them (`Deliverer`, run by the engine) and says which URLs and addresses
may receive them (urls.py, addresses.py).
"""

from batchyard.webhooks.addresses import AddressPolicy, address_problem, system_resolve
from batchyard.webhooks.delivery import Attempt, Deliverer, http_client, post_event
from batchyard.webhooks.signing import new_secret, secret_hint, signed_headers
from batchyard.webhooks.urls import url_problem

__all__ = [
    "AddressPolicy",
    "Attempt",
    "Deliverer",
    "address_problem",
    "http_client",
    "new_secret",
    "post_event",
    "secret_hint",
    "signed_headers",
    "system_resolve",
    "url_problem",
]
