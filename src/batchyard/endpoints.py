"""The Batch API's contract tables, in one place.

Which endpoint paths a batch may name, and the body field each one cannot run
without (with OpenAI's message when it is absent). The validator, the API's
routes and the backends all read them here, so a new endpoint is one edit.
"""

from __future__ import annotations

RESPONSES = "/v1/responses"
CHAT = "/v1/chat/completions"
COMPLETIONS = "/v1/completions"
EMBEDDINGS = "/v1/embeddings"
MODERATIONS = "/v1/moderations"

# Every endpoint OpenAI's Batch API accepts in `POST /v1/batches` and in a line's `url`.
BATCH_ENDPOINTS = frozenset(
    {
        RESPONSES,
        CHAT,
        EMBEDDINGS,
        COMPLETIONS,
        MODERATIONS,
        "/v1/images/generations",
        "/v1/images/edits",
        "/v1/videos",
    }
)

# The body field each endpoint cannot run without, and the message when it is absent.
REQUIRED_BODY_FIELDS: dict[str, tuple[str, str]] = {
    CHAT: ("messages", "Messages parameter is required."),
    COMPLETIONS: ("prompt", "Prompt parameter is required."),
    EMBEDDINGS: ("input", "Input parameter is required."),
    MODERATIONS: ("input", "Input parameter is required."),
}

__all__ = [
    "BATCH_ENDPOINTS",
    "CHAT",
    "COMPLETIONS",
    "EMBEDDINGS",
    "MODERATIONS",
    "REQUIRED_BODY_FIELDS",
    "RESPONSES",
]
