"""`GET /metrics`: Prometheus text format, outside `/v1` and, like `/health`, without a key.

Rendering reads the store (batches by status, queue depth), so it runs in a
thread, off the event loop. docs/observability.md lists every metric.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from batchyard.metrics import CONTENT_TYPE, Metrics

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry: Metrics = request.app.state.metrics
    body = await run_in_threadpool(registry.render)
    return Response(body, media_type=CONTENT_TYPE)
