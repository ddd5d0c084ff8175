"""Webhook endpoints, batch events, and the delivery outbox.

`record_batch_event` runs inside the transaction of the transition that ends a
batch, so a terminal transition yields exactly one event, with one outbox row
per endpoint subscribed at that moment, or nothing if the transition rolls
back. The deliverer then claims due rows, sends them, and settles them here.
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.engine import RowMapping

from batchyard import ids
from batchyard.records import BatchStatus, DeliveryView, DueDelivery, WebhookEndpointRecord
from batchyard.store.pages import fetch_page
from batchyard.store.rows import record_of, values_of
from batchyard.store.schema import batch_progress, batches, events, webhook_deliveries
from batchyard.store.schema import webhook_endpoints as endpoints

BATCH_EVENT_TYPES = {
    BatchStatus.COMPLETED: "batch.completed",
    BatchStatus.FAILED: "batch.failed",
    BatchStatus.EXPIRED: "batch.expired",
    BatchStatus.CANCELLED: "batch.cancelled",
}


def event_payload(event_id: str, event_type: str, batch_id: str, created_at: int) -> str:
    """OpenAI's thin event: fetch the batch by `data.id` for the rest."""
    body = {
        "id": event_id,
        "object": "event",
        "created_at": created_at,
        "type": event_type,
        "data": {"id": batch_id},
    }
    return orjson.dumps(body).decode()


def record_batch_event(conn: Connection, batch_id: str, status: BatchStatus, now: int) -> None:
    """Write the event of a batch that just ended, and queue it for every subscriber.

    Call it in the transaction that made the batch terminal, only when that
    transition changed the row.
    """
    event_type = BATCH_EVENT_TYPES[status]
    project = conn.execute(select(batches.c.project).where(batches.c.id == batch_id)).scalar_one()
    event_id = ids.event_id()
    conn.execute(
        insert(events).values(
            id=event_id,
            project=project,
            type=event_type,
            batch_id=batch_id,
            created_at=now,
            payload=event_payload(event_id, event_type, batch_id, now),
        )
    )
    subscribed = conn.execute(
        select(endpoints.c.id, endpoints.c.event_types).where(
            endpoints.c.project == project, endpoints.c.deleted_at.is_(None)
        )
    ).all()
    rows = [
        {
            "id": ids.webhook_id(),
            "event_id": event_id,
            "endpoint_id": endpoint_id,
            "created_at": now,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": float(now),
        }
        for endpoint_id, types in subscribed
        if event_type in types
    ]
    if rows:
        conn.execute(insert(webhook_deliveries), rows)
    conn.execute(delete(batch_progress).where(batch_progress.c.batch_id == batch_id))


class WebhookStore:
    """Endpoints per project, and the outbox the deliverer works through."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._skip_locked = engine.dialect.name == "postgresql"

    # -- endpoints -------------------------------------------------------------

    def add_endpoint(self, record: WebhookEndpointRecord) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(endpoints).values(**values_of(record)))

    def get_endpoint(self, project: str, endpoint_id: str) -> WebhookEndpointRecord | None:
        with self.engine.begin() as conn:
            row = conn.execute(_live(project).where(endpoints.c.id == endpoint_id)).mappings()
            found = row.first()
        return _endpoint(found) if found else None

    def list_endpoints(
        self, project: str, *, after: str | None = None, limit: int = 20
    ) -> tuple[list[WebhookEndpointRecord], bool]:
        """Newest first. An unknown `after` gives an empty page."""
        query = _live(project)
        with self.engine.begin() as conn:
            rows, has_more = fetch_page(conn, query, endpoints, project, after=after, limit=limit)
        return [_endpoint(r) for r in rows], has_more

    def update_endpoint(
        self, project: str, endpoint_id: str, changes: dict[str, Any], now: int
    ) -> WebhookEndpointRecord | None:
        """Apply `changes` (name, url, event_types, secret fields); `updated_at` moves
        only when something actually changed."""
        with self.engine.begin() as conn:
            row = conn.execute(_live(project).where(endpoints.c.id == endpoint_id)).mappings()
            found = row.first()
            if found is None:
                return None
            real = {k: v for k, v in changes.items() if found[k] != v}
            if real:
                conn.execute(
                    update(endpoints)
                    .where(endpoints.c.id == endpoint_id)
                    .values(**real, updated_at=now)
                )
            record = _endpoint(found)
        for key, value in real.items():
            setattr(record, key, value)
        if real:
            record.updated_at = now
        return record

    def delete_endpoint(self, project: str, endpoint_id: str, now: int) -> bool:
        """Remove an endpoint; what it had not received yet is abandoned."""
        with self.engine.begin() as conn:
            gone = conn.execute(
                update(endpoints)
                .where(
                    endpoints.c.id == endpoint_id,
                    endpoints.c.project == project,
                    endpoints.c.deleted_at.is_(None),
                )
                .values(deleted_at=now)
            ).rowcount
            if gone:
                conn.execute(
                    update(webhook_deliveries)
                    .where(
                        webhook_deliveries.c.endpoint_id == endpoint_id,
                        webhook_deliveries.c.status == "pending",
                    )
                    .values(status="abandoned", last_error="endpoint_deleted", claim=None)
                )
        return bool(gone)

    # -- outbox ----------------------------------------------------------------

    def claim_due(
        self, owner: str, now: float, lease_seconds: float, limit: int
    ) -> list[DueDelivery]:
        """Take up to `limit` deliveries whose time has come, for `lease_seconds`.

        A delivery whose claimer died becomes due again when its lease runs out,
        or at once when `release_claims` names that claimer.
        """
        query = (
            select(
                webhook_deliveries.c.id,
                webhook_deliveries.c.attempts,
                webhook_deliveries.c.created_at,
                webhook_deliveries.c.endpoint_id,
                endpoints.c.url,
                endpoints.c.secret,
                endpoints.c.previous_secret,
                endpoints.c.previous_secret_until,
                events.c.payload,
            )
            .join(endpoints, endpoints.c.id == webhook_deliveries.c.endpoint_id)
            .join(events, events.c.id == webhook_deliveries.c.event_id)
            .where(
                webhook_deliveries.c.status == "pending",
                webhook_deliveries.c.next_attempt_at <= now,
            )
            .order_by(webhook_deliveries.c.next_attempt_at)
            .limit(limit)
        )
        if self._skip_locked:
            query = query.with_for_update(of=webhook_deliveries, skip_locked=True)
        due: list[DueDelivery] = []
        with self.engine.begin() as conn:
            for row in conn.execute(query).mappings().all():
                claim = f"{owner}/{secrets.token_hex(4)}"
                conn.execute(
                    update(webhook_deliveries)
                    .where(webhook_deliveries.c.id == row["id"])
                    .values(
                        claim=claim,
                        attempts=row["attempts"] + 1,
                        next_attempt_at=now + lease_seconds,
                    )
                )
                keys = [row["secret"]]
                until = row["previous_secret_until"]
                if row["previous_secret"] and until is not None and until > now:
                    keys.append(row["previous_secret"])
                due.append(
                    DueDelivery(
                        id=row["id"],
                        claim=claim,
                        endpoint_id=row["endpoint_id"],
                        url=row["url"],
                        secrets=keys,
                        payload=row["payload"],
                        created_at=row["created_at"],
                        attempts=row["attempts"] + 1,
                    )
                )
        return due

    def settle(
        self,
        delivery: DueDelivery,
        *,
        status_code: int,
        error: str | None,
        now: float,
        retry_at: float | None,
    ) -> bool:
        """Record one try: delivered (no `error`), due again at `retry_at`, or abandoned
        (an error and no `retry_at`). False if the claim was lost meanwhile."""
        values: dict[str, Any] = {"last_status_code": status_code, "last_error": error}
        if error is None:
            values.update(status="delivered", delivered_at=int(now), claim=None)
        elif retry_at is None:
            values.update(status="abandoned", claim=None)
        else:
            values.update(next_attempt_at=retry_at, claim=None)
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(webhook_deliveries)
                    .where(
                        webhook_deliveries.c.id == delivery.id,
                        webhook_deliveries.c.claim == delivery.claim,
                        webhook_deliveries.c.status == "pending",
                    )
                    .values(**values)
                ).rowcount
            )

    def deliveries_of(self, project: str, batch_id: str, limit: int = 50) -> list[DeliveryView]:
        """The deliveries of `batch_id`'s events, newest first; every table read is bound to
        `project`, so another project's batch (or endpoint) yields nothing."""
        d = webhook_deliveries
        query = (
            select(
                d.c.id,
                events.c.type,
                d.c.endpoint_id,
                endpoints.c.name,
                endpoints.c.url,
                d.c.status,
                d.c.attempts,
                d.c.created_at,
                d.c.next_attempt_at,
                d.c.delivered_at,
                d.c.last_status_code,
                d.c.last_error,
            )
            .join(events, events.c.id == d.c.event_id)
            .join(endpoints, endpoints.c.id == d.c.endpoint_id)
            .where(
                events.c.batch_id == batch_id,
                events.c.project == project,
                endpoints.c.project == project,
            )
            .order_by(d.c.created_at.desc(), d.c.id)
            .limit(limit)
        )
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
        return [
            DeliveryView(
                *row[:8],
                next_attempt_at=row[8] if row[5] == "pending" else None,
                delivered_at=row[9],
                last_status_code=row[10],
                last_error=row[11],
            )
            for row in rows
        ]

    def claimers(self) -> set[str]:
        """The workers that hold a delivery now (to find dead ones at startup)."""
        with self.engine.begin() as conn:
            claims = conn.execute(
                select(webhook_deliveries.c.claim)
                .where(
                    webhook_deliveries.c.status == "pending",
                    webhook_deliveries.c.claim.is_not(None),
                )
                .distinct()
            ).scalars()
            return {claim.rsplit("/", 1)[0] for claim in claims}

    def release_claims(self, owners: set[str], now: float) -> None:
        """Make the deliveries held by dead workers due at once."""
        if not owners:
            return
        with self.engine.begin() as conn:
            for owner in owners:
                conn.execute(
                    update(webhook_deliveries)
                    .where(
                        webhook_deliveries.c.status == "pending",
                        webhook_deliveries.c.claim.startswith(f"{owner}/", autoescape=True),
                    )
                    .values(claim=None, next_attempt_at=now)
                )

    def pending_deliveries(self) -> int:
        """How many deliveries wait to be sent or retried, across all projects."""
        with self.engine.begin() as conn:
            count = conn.execute(
                select(func.count()).where(webhook_deliveries.c.status == "pending")
            ).scalar()
        return int(count or 0)

    def next_due(self) -> float | None:
        """When the earliest pending delivery falls due; None when nothing waits."""
        with self.engine.begin() as conn:
            when = conn.execute(
                select(func.min(webhook_deliveries.c.next_attempt_at)).where(
                    webhook_deliveries.c.status == "pending"
                )
            ).scalar()
        return float(when) if when is not None else None


def _live(project: str) -> Any:
    return select(endpoints).where(endpoints.c.project == project, endpoints.c.deleted_at.is_(None))


def _endpoint(row: RowMapping) -> WebhookEndpointRecord:
    return record_of(WebhookEndpointRecord, row, event_types=list(row["event_types"]))
