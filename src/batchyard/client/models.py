"""Which models a server offers, asked before a file that names another is uploaded.

`GET /v1/models` answers on batchyard, OpenAI and most compatible servers.
batchyard also says which endpoints each model serves (the extra key
`batchyard`), so a file of embeddings for a chat model fails here, locally, with
the server's list in the message. A server without the route leaves the check
to the server's own validation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import openai


def served_models(client: openai.OpenAI, endpoint: str) -> set[str] | None:
    """The ids of the models that serve `endpoint`; None when the server does not say."""
    import openai

    try:
        page = client.models.list()
    except openai.APIStatusError as exc:
        if exc.status_code >= 500 or exc.status_code in (401, 429):
            raise  # a server in trouble or a wrong key: the user should hear of it now
        return None  # no such route (404/405), or the key may not list models (403)
    models: set[str] = set()
    for model in page.data:
        extra = (model.model_extra or {}).get("batchyard")
        endpoints = extra.get("endpoints") if isinstance(extra, dict) else None
        if not isinstance(endpoints, list) or endpoint in endpoints:
            models.add(model.id)
    return models
