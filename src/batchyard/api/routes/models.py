"""`GET /v1/models` and `GET /v1/models/{id}`: the configured models, in OpenAI's shape.

Clients (the toolkit's `validate` and `submit`, the SDK's `client.models.list()`)
ask which models a server offers before they upload a file that names another.
Each model also says, under the extra key `batchyard`, which endpoints it
serves and which backend runs it; the SDK keeps such unknown fields.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

from fastapi import APIRouter, Request

from batchyard.api.deps import ProjectDep, SettingsDep
from batchyard.backends import backend_endpoints
from batchyard.config import ModelConfig
from batchyard.errors import APIError, known_models

router = APIRouter(tags=["models"])

OWNER = "batchyard"


def model_not_found(model: str, names: Collection[str]) -> APIError:
    """OpenAI's 404 for an unknown model, with the models that would work."""
    return APIError(
        f"The model '{model}' does not exist or you do not have access to it. "
        + known_models(names),
        status_code=404,
        param="model",
        code="model_not_found",
    )


def model_object(model: ModelConfig, created: int) -> dict[str, Any]:
    return {
        "id": model.name,
        "object": "model",
        "created": created,
        "owned_by": OWNER,
        "batchyard": {
            "backend": model.backend,
            "endpoints": sorted(backend_endpoints(model)),
        },
    }


def _created(request: Request) -> int:
    """When this server started: a model has no other birth date here, and it stays put."""
    state = request.app.state
    if not hasattr(state, "models_created"):
        state.models_created = int(time.time())
    created: int = state.models_created
    return created


@router.get("/models")
async def list_models(
    request: Request, settings: SettingsDep, _project: ProjectDep
) -> dict[str, Any]:
    created = _created(request)
    return {"object": "list", "data": [model_object(m, created) for m in settings.models]}


@router.get("/models/{model_id:path}")
async def retrieve_model(
    model_id: str, request: Request, settings: SettingsDep, _project: ProjectDep
) -> dict[str, Any]:
    model = settings.model(model_id)
    if model is None:
        raise model_not_found(model_id, [m.name for m in settings.models])
    return model_object(model, _created(request))
