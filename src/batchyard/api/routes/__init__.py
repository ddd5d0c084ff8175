"""The `/v1` routes, gathered into one router; `/metrics` sits outside it."""

from fastapi import APIRouter

from batchyard.api.routes import batches, files, inference, models, retry, webhooks

api_router = APIRouter()
api_router.include_router(files.router)
api_router.include_router(batches.router)
api_router.include_router(retry.router)
api_router.include_router(webhooks.router)
api_router.include_router(inference.router)
api_router.include_router(models.router)

__all__ = ["api_router"]
