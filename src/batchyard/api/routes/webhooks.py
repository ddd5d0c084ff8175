"""`/v1/webhook_endpoints`: a project's webhook endpoints, as the SDK's `client.webhooks`.

Create and rotate return the signing secret, once; every other answer shows only
a hint of it. Only the four batch events exist here, so an endpoint may
subscribe to those alone. `test` sends one signed sample event at once and
answers with the receiver's status code.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from batchyard import ids
from batchyard.api.bodies import read_json
from batchyard.api.deps import ProjectDep, SettingsDep, StoreDep
from batchyard.api.errors import invalid_value
from batchyard.api.openapi import json_body
from batchyard.api.schemas import OrjsonResponse, page
from batchyard.config import WebhookSettings
from batchyard.errors import BadRequest, NotFound
from batchyard.records import WebhookEndpointRecord
from batchyard.store.webhooks import BATCH_EVENT_TYPES, event_payload
from batchyard.webhooks import (
    AddressPolicy,
    address_problem,
    http_client,
    new_secret,
    post_event,
    secret_hint,
    system_resolve,
    url_problem,
)

router = APIRouter(tags=["webhooks"])

EVENT_TYPES = list(BATCH_EVENT_TYPES.values())
MAX_BODY_BYTES = 64 * 1024
MAX_NAME_LENGTH = 256
OLD_SECRET_GRACE_SECONDS = 24 * 3600


class EndpointCreate(BaseModel):
    model_config = ConfigDict(strict=True)

    event_types: list[str]
    name: str
    url: str


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(strict=True)

    event_types: list[str] | None = None
    name: str | None = None
    url: str | None = None


class SecretRotation(BaseModel):
    model_config = ConfigDict(strict=True)

    keep_old_secret_active_for_24_hours: bool = False


class TestRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    event_type: str


def endpoint_object(record: WebhookEndpointRecord, *, with_secret: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": record.id,
        "object": "webhook_endpoint",
        "created_at": record.created_at,
        "event_types": record.event_types,
        "name": record.name,
        "url": record.url,
        "signing_secret_hint": secret_hint(record.secret),
        "updated_at": record.updated_at,
    }
    if with_secret:
        body["signing_secret"] = record.secret
    return body


def no_such_endpoint(endpoint_id: str) -> NotFound:
    return NotFound(f"No such webhook endpoint: {endpoint_id}", param="webhook_endpoint_id")


def _event_types(values: list[str]) -> list[str]:
    if not values:
        raise BadRequest(
            "Invalid 'event_types': expected at least one event type.",
            param="event_types",
            code="invalid_value",
        )
    for value in values:
        if value not in EVENT_TYPES:
            raise invalid_value("event_types", value, EVENT_TYPES)
    return list(dict.fromkeys(values))


def _name(value: str) -> str:
    if not value.strip() or len(value) > MAX_NAME_LENGTH or not value.isprintable():
        raise BadRequest(
            f"Invalid 'name': expected 1 to {MAX_NAME_LENGTH} printable characters.",
            param="name",
            code="invalid_value",
        )
    return value


async def _url(value: str, settings: WebhookSettings) -> str:
    """The URL's form, then where its host resolves to now (sends check it again)."""
    problem = url_problem(value, allow_http=settings.allow_http)
    if problem is None:
        policy = AddressPolicy.of(settings.allowed_networks)
        problem = await address_problem(value, policy, system_resolve)
    if problem:
        raise BadRequest(f"Invalid 'url': {problem}.", param="url", code="invalid_url")
    return value


@router.get("/webhook_event_types")
async def list_event_types() -> Response:
    return OrjsonResponse({"object": "list", "data": EVENT_TYPES})


@router.post("/webhook_endpoints", openapi_extra=json_body(EndpointCreate))
async def create_endpoint(
    request: Request, settings: SettingsDep, store: StoreDep, project: ProjectDep
) -> Response:
    body = await read_json(request, EndpointCreate, MAX_BODY_BYTES)
    now = int(time.time())
    record = WebhookEndpointRecord(
        id=ids.webhook_endpoint_id(),
        project=project,
        name=_name(body.name),
        url=await _url(body.url, settings.webhooks),
        event_types=_event_types(body.event_types),
        secret=new_secret(),
        created_at=now,
        updated_at=now,
    )
    await run_in_threadpool(store.webhooks.add_endpoint, record)
    return OrjsonResponse(endpoint_object(record, with_secret=True))


@router.get("/webhook_endpoints")
def list_endpoints(
    store: StoreDep,
    project: ProjectDep,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    records, has_more = store.webhooks.list_endpoints(project, after=after, limit=limit)
    return OrjsonResponse(page([endpoint_object(r) for r in records], has_more))


@router.get("/webhook_endpoints/{endpoint_id}")
def retrieve_endpoint(endpoint_id: str, store: StoreDep, project: ProjectDep) -> Response:
    record = store.webhooks.get_endpoint(project, endpoint_id)
    if record is None:
        raise no_such_endpoint(endpoint_id)
    return OrjsonResponse(endpoint_object(record))


@router.post("/webhook_endpoints/{endpoint_id}", openapi_extra=json_body(EndpointUpdate))
async def update_endpoint(
    endpoint_id: str,
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    project: ProjectDep,
) -> Response:
    body = await read_json(request, EndpointUpdate, MAX_BODY_BYTES)
    changes: dict[str, Any] = {}
    if body.name is not None:
        changes["name"] = _name(body.name)
    if body.url is not None:
        changes["url"] = await _url(body.url, settings.webhooks)
    if body.event_types is not None:
        changes["event_types"] = _event_types(body.event_types)
    record = await run_in_threadpool(
        store.webhooks.update_endpoint, project, endpoint_id, changes, int(time.time())
    )
    if record is None:
        raise no_such_endpoint(endpoint_id)
    return OrjsonResponse(endpoint_object(record))


@router.delete("/webhook_endpoints/{endpoint_id}")
async def delete_endpoint(endpoint_id: str, store: StoreDep, project: ProjectDep) -> Response:
    deleted = await run_in_threadpool(
        store.webhooks.delete_endpoint, project, endpoint_id, int(time.time())
    )
    if not deleted:
        raise no_such_endpoint(endpoint_id)
    deleted_object = {"id": endpoint_id, "deleted": True, "object": "webhook_endpoint.deleted"}
    return OrjsonResponse(deleted_object)


@router.post(
    "/webhook_endpoints/{endpoint_id}/rotate_secret", openapi_extra=json_body(SecretRotation)
)
async def rotate_secret(
    endpoint_id: str, request: Request, store: StoreDep, project: ProjectDep
) -> Response:
    """A new secret at once; the old one keeps signing for a day only if asked."""
    body = await _optional_body(request, SecretRotation)
    current = await run_in_threadpool(store.webhooks.get_endpoint, project, endpoint_id)
    if current is None:
        raise no_such_endpoint(endpoint_id)
    now = int(time.time())
    keep = body.keep_old_secret_active_for_24_hours
    changes = {
        "secret": new_secret(),
        "previous_secret": current.secret if keep else None,
        "previous_secret_until": now + OLD_SECRET_GRACE_SECONDS if keep else None,
    }
    record = await run_in_threadpool(
        store.webhooks.update_endpoint, project, endpoint_id, changes, now
    )
    if record is None:
        raise no_such_endpoint(endpoint_id)
    return OrjsonResponse(endpoint_object(record, with_secret=True))


@router.post("/webhook_endpoints/{endpoint_id}/test", openapi_extra=json_body(TestRequest))
async def test_endpoint(
    endpoint_id: str,
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    project: ProjectDep,
) -> Response:
    """Send one signed sample event now (its `data.id` names no real batch)."""
    body = await read_json(request, TestRequest, MAX_BODY_BYTES)
    if body.event_type not in EVENT_TYPES:
        raise invalid_value("event_type", body.event_type, EVENT_TYPES)
    record = await run_in_threadpool(store.webhooks.get_endpoint, project, endpoint_id)
    if record is None:
        raise no_such_endpoint(endpoint_id)
    await _url(record.url, settings.webhooks)  # the policy may have tightened since
    now = int(time.time())
    payload = event_payload(ids.event_id(), body.event_type, ids.batch_id(), now)
    keys = [record.secret]
    if record.previous_secret and (record.previous_secret_until or 0) > now:
        keys.append(record.previous_secret)
    async with http_client(settings.webhooks) as client:
        attempt = await post_event(client, record.url, ids.webhook_id(), payload, keys)
    if attempt.error == "address_refused":  # rebound since the check just above
        raise BadRequest(
            f"Invalid 'url': the URL of {record.id} now resolves to an address that may "
            "not receive webhooks.",
            param="url",
            code="invalid_url",
        )
    if attempt.status_code == 0:
        raise BadRequest(
            f"The test event could not be delivered to {record.id}: no answer ({attempt.error}).",
            param="webhook_endpoint_id",
            code="webhook_unreachable",
        )
    return OrjsonResponse(
        {
            "object": "webhook_endpoint.test",
            "event_type": body.event_type,
            "status_code": attempt.status_code,
            "success": True,
            "webhook_endpoint_id": record.id,
        }
    )


async def _optional_body(request: Request, model: type[SecretRotation]) -> SecretRotation:
    """An empty body (no content type) means every default."""
    if not request.headers.get("content-type") and request.headers.get("content-length") in (
        None,
        "0",
    ):
        return model()
    return await read_json(request, model, MAX_BODY_BYTES)
