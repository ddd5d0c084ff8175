"""Request bodies for the OpenAPI schema, for routes that read their JSON by hand.

(Their responses are described in responses.py.)

The routes parse bodies themselves (to answer in OpenAI's error words, and to
cap their size), so FastAPI cannot see them; without these a fuzzer or a
generated client has no idea what to send.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def inline_refs(schema: Any, defs: dict[str, Any]) -> Any:
    """`schema` with every `#/$defs/...` reference replaced by its definition."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: inline_refs(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [inline_refs(item, defs) for item in schema]
    return schema


def json_body(model: type[BaseModel] | dict[str, Any]) -> dict[str, Any]:
    """`openapi_extra` naming the JSON body a route reads, from a model or a schema."""
    if isinstance(model, dict):
        schema = model
    else:
        raw = model.model_json_schema()
        schema = inline_refs(raw, raw.get("$defs", {}))
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    }


def inference_body(required: str) -> dict[str, Any]:
    """A synchronous endpoint's body: OpenAI's own, checked by the backend."""
    return json_body(
        {
            "type": "object",
            "required": ["model", required],
            "properties": {"model": {"type": "string"}},
            "additionalProperties": True,
        }
    )
