"""The HTTP API: OpenAI's Files and Batches endpoints under `/v1`."""

from batchyard.api.app import create_app

__all__ = ["create_app"]
