"""Backends: what answers a batch's lines, one per configured model.

The face of the part: a `Backend` takes `Request`s and returns `Result`s;
`create_backend` builds one from its `[[models]]` table; `Backends` holds the
process's built backends, shared by the engine and the synchronous API.

Families: `mock` (backends/mock.py); `openai`, any OpenAI-compatible HTTP
upstream, paced by `backends/pacing/`; and the models run on this machine,
`local-embeddings` and `transformers-chat` (`backends/local/`).
"""

from batchyard.backends.base import Backend, ReportsPacing, Request, Result, RunsHere
from batchyard.backends.catalogue import BACKENDS, backend_endpoints, create_backend
from batchyard.backends.instances import Backends

__all__ = [
    "BACKENDS",
    "Backend",
    "Backends",
    "ReportsPacing",
    "Request",
    "Result",
    "RunsHere",
    "backend_endpoints",
    "create_backend",
]
