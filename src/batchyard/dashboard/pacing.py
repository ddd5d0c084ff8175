"""The pacer's state for the queue page: each `openai` model's base URLs, read in-process.

The pacer lives in the process that sends (backends/pacing/); `serve` shares its
engine's backends with the API and this dashboard (`create_app(backends=...)`),
so the page reads the very objects that pace the lines, and the 429 count from
the registry `/metrics` renders. A separate `batchyard worker` paces with its own
objects: its state is on its own `/metrics`, not here (docs/dashboard.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit, urlunsplit

from batchyard.backends.instances import Backends
from batchyard.backends.pacing.pool import UpstreamState
from batchyard.metrics import Metrics


@dataclass(frozen=True, slots=True)
class ModelPacing:
    model: str
    rate_limited: int  # 429 answers this process has had from the model's upstreams
    retries: int  # lines sent again after a 429, 5xx or timeout
    urls: list[UpstreamState]


def pacing(backends: Backends, metrics: Metrics) -> list[ModelPacing]:
    """Every built backend that paces (the `openai` ones), by model name."""
    out = []
    for name, backend in sorted(backends.built().items()):
        state = getattr(backend, "pacing_state", None)
        if state is None:
            continue
        urls = [replace(u, url=_shown(u.url)) for u in state()]
        out.append(
            ModelPacing(
                model=name,
                rate_limited=_count(metrics, "batchyard_upstream_responses_total", name, "429"),
                retries=_count(metrics, "batchyard_upstream_retries_total", name),
                urls=urls,
            )
        )
    return out


def _count(metrics: Metrics, sample: str, model: str, status: str | None = None) -> int:
    labels = {"model": model} if status is None else {"model": model, "status": status}
    return int(metrics.registry.get_sample_value(sample, labels) or 0)


def _shown(url: str) -> str:
    """The URL without user, password, query or fragment: never a credential on a page."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
