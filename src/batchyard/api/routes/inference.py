"""Synchronous endpoints: `/v1/embeddings`, `/v1/chat/completions`, `/v1/completions`.

An OpenAI-compatible endpoint for the configured models, answered at once by
the same backend instances that run batch lines (`Backends`), so a local model's
batcher and an upstream's pacer see both. The call is marked interactive: the
backend serves it ahead of queued batch lines. The body is checked as a batch
line's is (model, required field, no streaming); the backend checks the rest
and its answer, body and status, goes back as it is. A transient failure is not
retried here: the client's SDK retries it.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from batchyard.api.bodies import read_json_object
from batchyard.api.deps import BackendsDep, MetricsDep, ProjectDep
from batchyard.api.errors import invalid_type
from batchyard.api.openapi import inference_body
from batchyard.api.routes.models import model_not_found
from batchyard.api.schemas import OrjsonResponse
from batchyard.backends import Backends
from batchyard.backends import Request as BackendRequest
from batchyard.config import ConfigError
from batchyard.endpoints import CHAT, COMPLETIONS, EMBEDDINGS, REQUIRED_BODY_FIELDS
from batchyard.errors import BadRequest, ServerError, missing_parameter
from batchyard.ids import request_id
from batchyard.metrics import Metrics

router = APIRouter(tags=["inference"])

# Far above any real request (2,048 texts, or a long conversation); refused before parsing.
MAX_BODY_BYTES = 16 * 1024 * 1024


@router.post("/embeddings", openapi_extra=inference_body("input"))
async def embeddings(
    request: Request, backends: BackendsDep, metrics: MetricsDep, _project: ProjectDep
) -> Response:
    return await _answer(request, EMBEDDINGS, backends, metrics)


@router.post("/chat/completions", openapi_extra=inference_body("messages"))
async def chat_completions(
    request: Request, backends: BackendsDep, metrics: MetricsDep, _project: ProjectDep
) -> Response:
    return await _answer(request, CHAT, backends, metrics)


@router.post("/completions", openapi_extra=inference_body("prompt"))
async def completions(
    request: Request, backends: BackendsDep, metrics: MetricsDep, _project: ProjectDep
) -> Response:
    return await _answer(request, COMPLETIONS, backends, metrics)


async def _answer(
    request: Request, endpoint: str, backends: Backends, metrics: Metrics
) -> Response:
    started = time.perf_counter()
    body = await read_json_object(request, MAX_BODY_BYTES)
    model = _check(body, endpoint, backends)
    try:
        backend = backends.get(model)
    except ConfigError as exc:  # e.g. the local extra is not installed: the operator's to fix
        raise ServerError(str(exc)) from None
    (result,) = await backend.run(
        [BackendRequest(endpoint, body, custom_id=request_id(), interactive=True)]
    )
    # 0: no answer from the upstream at all; a gateway's 502 says so to an HTTP client.
    status = result.status_code or 502
    headers = {"x-upstream-request-id": result.request_id}
    if result.retry_after is not None:
        headers["retry-after"] = str(max(0, round(result.retry_after)))
    metrics.sync_latency.labels(model, endpoint).observe(time.perf_counter() - started)
    metrics.sync_responses.labels(model, endpoint, str(status)).inc()
    return OrjsonResponse(result.body, status_code=status, headers=headers)


def _check(body: dict[str, Any], endpoint: str, backends: Backends) -> str:
    """The model the body names, once the body passes what a batch line must."""
    model = body.get("model")
    if model is None:
        raise missing_parameter("model")
    if not isinstance(model, str):
        raise invalid_type("model", "a string", model)
    if body.get("stream") is True:
        raise BadRequest(
            "Streaming is not supported by this server; send the request without "
            "'stream' (or with stream: false).",
            param="stream",
            code="streaming_unsupported",
        )
    if backends.model(model) is None:
        raise model_not_found(model, [m.name for m in backends.settings.models])
    if not backends.serves(model, endpoint):
        serving = sorted(backends.models_for(endpoint))
        raise BadRequest(
            f"The model '{model}' does not serve {endpoint}; "
            + (
                f"models that do: {', '.join(serving)}." if serving else "no configured model does."
            ),
            param="model",
            code="model_not_supported",
        )
    required = REQUIRED_BODY_FIELDS.get(endpoint)
    if required is not None and body.get(required[0]) is None:
        raise BadRequest(required[1], param=required[0], code="missing_required_parameter")
    return model
