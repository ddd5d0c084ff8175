"""The `/v1` routes, gathered into one router."""

from fastapi import APIRouter

from batchyard.api.routes import batches, files

api_router = APIRouter()
api_router.include_router(files.router)
api_router.include_router(batches.router)

__all__ = ["api_router"]
