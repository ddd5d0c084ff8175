"""Sends queued webhook events, and retries them until a 2xx or 72 hours.

The deliverer claims due rows of the outbox under a short lease, POSTs each
event's stored body with fresh Standard Webhooks headers (same `webhook-id`,
new timestamp and signature per try), and settles the row. A non-2xx answer
(redirects included), a timeout or a refused connection is retried with
exponential backoff and jitter; a try that would fall past `max_age_seconds`
after the event is not made, and the delivery is abandoned. A URL the policy
refuses at the send (`url_refused`, or `address_refused` when its host now
resolves inward: addresses.py) is abandoned at once. A process that
dies mid-try leaves the row to fall due again when its lease runs out.
Bodies, secrets and URLs never go to the log: it names the delivery and the
endpoint by id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass

import httpcore
import httpx

from batchyard import __version__
from batchyard.config import WebhookSettings
from batchyard.metrics import Metrics
from batchyard.records import DueDelivery
from batchyard.store import Store
from batchyard.webhooks.addresses import (
    AddressPolicy,
    AddressRefused,
    GuardedNetwork,
    Resolve,
    system_resolve,
)
from batchyard.webhooks.signing import signed_headers
from batchyard.webhooks.urls import url_problem

log = logging.getLogger("batchyard.webhooks")

USER_AGENT = f"batchyard/{__version__} (webhooks)"
_BATCH = 32  # deliveries claimed per query
_REFUSALS = ("url_refused", "address_refused")  # the policy's: not retried


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one POST came to: the HTTP status (0 for none) and, unless 2xx, a short kind."""

    status_code: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


async def post_event(
    client: httpx.AsyncClient, url: str, webhook_id: str, body: str, keys: list[str]
) -> Attempt:
    """One signed POST; never raises for the receiver's failures."""
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signed_headers(webhook_id, int(time.time()), body, keys),
    }
    try:
        response = await client.post(url, content=body.encode(), headers=headers)
    except AddressRefused:
        return Attempt(0, "address_refused")
    except httpx.TimeoutException:
        return Attempt(0, "timeout")
    except httpx.HTTPError:
        return Attempt(0, "connect")
    if 200 <= response.status_code < 300:
        return Attempt(response.status_code, None)
    return Attempt(response.status_code, f"http_{response.status_code}")


def http_client(settings: WebhookSettings, resolve: Resolve = system_resolve) -> httpx.AsyncClient:
    """Redirects are failures (as upstream), and a slow receiver is a timeout.

    Every connection goes through `GuardedNetwork`, so the address policy holds at
    the moment of connecting. The client is given its transport, so it takes no
    proxy from the environment: a proxy would connect where the guard cannot see.
    """
    transport = httpx.AsyncHTTPTransport()
    # httpx has no public seam for the connect; its pool is httpcore's, built here
    # with the guard as its network backend (the same pool httpx would build).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        network_backend=GuardedNetwork(AddressPolicy.of(settings.allowed_networks), resolve),
    )
    return httpx.AsyncClient(
        transport=transport, timeout=settings.timeout_seconds, follow_redirects=False
    )


class Deliverer:
    """The outbox's one consumer per process; any number of processes may run one."""

    def __init__(
        self, store: Store, settings: WebhookSettings, metrics: Metrics, owner: str
    ) -> None:
        self.store = store
        self.owner = owner
        self.settings = settings
        self.metrics = metrics

    def retry_at(self, delivery: DueDelivery, now: float) -> float | None:
        """When to try again after a failed try, or None to give up."""
        ceiling = min(
            self.settings.retry_max_seconds,
            self.settings.retry_base_seconds * 2.0 ** (delivery.attempts - 1),
        )
        when = now + random.uniform(0.5, 1.0) * ceiling
        if when - delivery.created_at > self.settings.max_age_seconds:
            return None
        return when

    async def run(self, stopping: asyncio.Event) -> None:
        async with http_client(self.settings) as client:
            tasks: set[asyncio.Task[None]] = set()
            while not stopping.is_set():
                try:
                    busy = await self._dispatch(client, tasks)
                except Exception:
                    log.exception("claiming webhook deliveries failed")
                    busy = False
                if not busy:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), self.settings.poll_seconds)
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _dispatch(self, client: httpx.AsyncClient, tasks: set[asyncio.Task[None]]) -> bool:
        free = self.settings.concurrency - len(tasks)
        if free <= 0:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            return True
        lease = self.settings.timeout_seconds + 30
        due = await asyncio.to_thread(
            self.store.webhooks.claim_due, self.owner, time.time(), lease, min(free, _BATCH)
        )
        for delivery in due:
            task = asyncio.create_task(self._deliver(client, delivery))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        return len(due) == min(free, _BATCH)

    async def _deliver(self, client: httpx.AsyncClient, delivery: DueDelivery) -> None:
        if url_problem(delivery.url, allow_http=self.settings.allow_http):
            # the policy got stricter since the endpoint was saved
            attempt = Attempt(0, "url_refused")
        else:
            attempt = await post_event(
                client, delivery.url, delivery.id, delivery.payload, delivery.secrets
            )
        now = time.time()
        refused = attempt.error in _REFUSALS
        retry_at = None if attempt.ok or refused else self.retry_at(delivery, now)
        outcome = "delivered" if attempt.ok else "retrying" if retry_at else "abandoned"
        settled = await asyncio.to_thread(
            self.store.webhooks.settle,
            delivery,
            status_code=attempt.status_code,
            error=attempt.error,
            now=now,
            retry_at=retry_at,
        )
        if not settled:
            return
        self.metrics.webhook_attempts.labels(outcome=outcome).inc()
        if outcome == "abandoned":
            log.warning(
                "webhook %s to endpoint %s abandoned after %d tries (last: %s)",
                delivery.id,
                delivery.endpoint_id,
                delivery.attempts,
                attempt.error,
            )
        elif outcome == "retrying":
            log.info(
                "webhook %s to endpoint %s failed (%s); try %d in %.0f s",
                delivery.id,
                delivery.endpoint_id,
                attempt.error,
                delivery.attempts + 1,
                (retry_at or now) - now,
            )
