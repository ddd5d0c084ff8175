"""The pacers' state for the queue page, as every engine last reported it to the store.

A pacer lives in the process that sends; each engine (the one inside `serve`, and
every `batchyard worker`) writes what its pacers know every few seconds
(engine/pacer_report.py), so this page shows all of them, whichever `serve`
renders it. Base URLs are shown without user, password or query.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from batchyard.backends.pacing.pool import UpstreamState
from batchyard.engine.pacer_report import STALE_SECONDS
from batchyard.store import Store


@dataclass(frozen=True, slots=True)
class ModelPacing:
    model: str
    worker: str  # the engine that paces with it
    age: float  # seconds since that engine reported
    rate_limited: int  # 429 answers that engine has had from the model's upstreams
    retries: int  # lines it sent again after a 429, 5xx or timeout
    urls: list[UpstreamState]


def pacing(store: Store) -> list[ModelPacing]:
    """Every live engine's report, by model then worker."""
    now = time.time()
    out = []
    for report in store.pacer_states.live(now - STALE_SECONDS):
        state = report.state
        urls = [UpstreamState(**{**u, "url": _shown(u["url"])}) for u in state.get("urls", [])]
        out.append(
            ModelPacing(
                model=report.model,
                worker=report.owner,
                age=max(0.0, now - report.updated_at),
                rate_limited=int(state.get("rate_limited", 0)),
                retries=int(state.get("retries", 0)),
                urls=urls,
            )
        )
    return out


def _shown(url: str) -> str:
    """The URL without user, password, query or fragment: never a credential on a page."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
