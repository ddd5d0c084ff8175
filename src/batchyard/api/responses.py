"""Response schemas for the OpenAPI document: what each route really answers.

The routes build their JSON by hand (OpenAI's exact shapes, with explicit nulls),
so FastAPI sees no response model and would publish an empty schema for each,
plus a 422 that never comes (a bad parameter is a 400 in OpenAI's envelope).
Here each operation gets its 200 schema, taken from the official SDK's own types
where upstream has the object (so a generated client reads batchyard as it reads
OpenAI), written out for the extensions, and one `default`: the error envelope
every non-2xx carries.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from openai.types import (
    Batch,
    Completion,
    CreateEmbeddingResponse,
    FileDeleted,
    FileObject,
    Model,
)
from openai.types.chat import ChatCompletion
from openai.types.webhooks import (
    DeletedWebhookEndpoint,
    WebhookEndpoint,
    WebhookEndpointTestResult,
    WebhookEndpointWithSecret,
)
from pydantic import BaseModel

from batchyard.api.openapi import inline_refs

_NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}]}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "param": _NULLABLE_STRING,
                "code": _NULLABLE_STRING,
            },
        }
    },
}


def sdk_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The SDK type's JSON schema, references inlined (the document has no `$defs`)."""
    raw = model.model_json_schema()
    schema: dict[str, Any] = inline_refs(raw, raw.get("$defs", {}))
    return schema


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    """A cursor page (`api/schemas.page`)."""
    return {
        "type": "object",
        "required": ["object", "data", "first_id", "last_id", "has_more"],
        "properties": {
            "object": {"const": "list"},
            "data": {"type": "array", "items": item},
            "first_id": _NULLABLE_STRING,
            "last_id": _NULLABLE_STRING,
            "has_more": {"type": "boolean"},
        },
    }


def list_of(item: dict[str, Any]) -> dict[str, Any]:
    """A whole list, no cursor (models, event types)."""
    return {
        "type": "object",
        "required": ["object", "data"],
        "properties": {"object": {"const": "list"}, "data": {"type": "array", "items": item}},
    }


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def _lines(description: str) -> dict[str, Any]:
    """A streamed body that is not one JSON document."""
    stream = {"schema": {"type": "string", "format": "binary"}}
    return {
        "description": description,
        "content": {"application/jsonl": stream, "application/octet-stream": stream},
    }


def _ok_responses() -> dict[tuple[str, str], dict[str, Any]]:
    file, batch = sdk_schema(FileObject), sdk_schema(Batch)
    endpoint, model = sdk_schema(WebhookEndpoint), sdk_schema(Model)
    with_secret = _json(sdk_schema(WebhookEndpointWithSecret))
    return {
        ("post", "/v1/files"): _json(file),
        ("get", "/v1/files"): _json(page_of(file)),
        ("get", "/v1/files/{file_id}"): _json(file),
        ("delete", "/v1/files/{file_id}"): _json(sdk_schema(FileDeleted)),
        ("get", "/v1/files/{file_id}/content"): _lines("The file's bytes, as uploaded"),
        ("post", "/v1/batches"): _json(batch),
        ("get", "/v1/batches"): _json(page_of(batch)),
        ("get", "/v1/batches/{batch_id}"): _json(batch),
        ("post", "/v1/batches/{batch_id}/cancel"): _json(batch),
        ("post", "/v1/batches/{batch_id}/retry"): _json(batch),
        ("get", "/v1/batches/{batch_id}/output"): _lines(
            "Result lines of the batch so far, one JSON object a line (an extension)"
        ),
        ("get", "/v1/webhook_event_types"): _json(list_of({"type": "string"})),
        ("post", "/v1/webhook_endpoints"): with_secret,
        ("get", "/v1/webhook_endpoints"): _json(page_of(endpoint)),
        ("get", "/v1/webhook_endpoints/{endpoint_id}"): _json(endpoint),
        ("post", "/v1/webhook_endpoints/{endpoint_id}"): _json(endpoint),
        ("delete", "/v1/webhook_endpoints/{endpoint_id}"): _json(
            sdk_schema(DeletedWebhookEndpoint)
        ),
        ("post", "/v1/webhook_endpoints/{endpoint_id}/rotate_secret"): with_secret,
        ("post", "/v1/webhook_endpoints/{endpoint_id}/test"): _json(
            sdk_schema(WebhookEndpointTestResult)
        ),
        ("post", "/v1/embeddings"): _json(sdk_schema(CreateEmbeddingResponse)),
        ("post", "/v1/chat/completions"): _json(sdk_schema(ChatCompletion)),
        ("post", "/v1/completions"): _json(sdk_schema(Completion)),
        ("get", "/v1/models"): _json(list_of(model)),
        ("get", "/v1/models/{model_id}"): _json(model),
    }


def describe_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Fill in `document` (FastAPI's OpenAPI dict) in place, and return it."""
    ok = _ok_responses()
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            if (method, path) in ok:
                responses["200"] = ok[(method, path)]
            responses["default"] = {
                "description": "An error, in OpenAI's envelope",
                "content": {"application/json": {"schema": ERROR}},
            }
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def install_response_schemas(app: FastAPI) -> None:
    """Make `app.openapi()` publish the described document (built once, then cached)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_responses(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
