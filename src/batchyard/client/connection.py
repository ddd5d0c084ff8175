"""Which server a command talks to, and the official SDK client for it.

The toolkit speaks only the public Files and Batches API through `openai`, so it
works against batchyard, OpenAI, Azure's v1 endpoint, or any compatible server.
A manifest remembers the server its batches live on; pointing a later command
elsewhere would look for them in the wrong place, so that is refused.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from batchyard.client.errors import ToolkitError
from batchyard.client.manifest import Manifest

if TYPE_CHECKING:  # the SDK takes seconds to import: only commands that talk to a server pay
    import openai

OPENAI_BASE_URL = "https://api.openai.com/v1"
# Servers without auth (a local batchyard) still need the SDK to send some key.
PLACEHOLDER_KEY = "batchyard-no-key"


def resolve_base_url(flag: str | None, manifest: Manifest | None = None) -> str:
    """`--base-url`, else the manifest's server, else OPENAI_BASE_URL, else OpenAI."""
    recorded = manifest.base_url if manifest is not None else None
    if flag and recorded and flag.rstrip("/") != recorded.rstrip("/"):
        raise ToolkitError(
            f"this job's batches live on {recorded}, not {flag}; "
            "leave out --base-url to use the manifest's server"
        )
    return (flag or recorded or os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL).rstrip("/")


def make_client(base_url: str, *, max_retries: int = 5) -> openai.OpenAI:
    """An SDK client; the key comes only from OPENAI_API_KEY, never from a flag or a file."""
    import openai

    key = os.environ.get("OPENAI_API_KEY")
    if not key:
        if base_url.startswith(OPENAI_BASE_URL):
            raise ToolkitError(
                "no --base-url or OPENAI_BASE_URL was given, so this goes to OpenAI, which "
                "needs an API key: set OPENAI_API_KEY, or name your server, e.g. "
                "--base-url http://127.0.0.1:8000/v1 (a local `batchyard serve`)"
            )
        key = PLACEHOLDER_KEY
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=max_retries, timeout=600)
