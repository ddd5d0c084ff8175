"""The one seam between the engine and a model: run requests, return one result each.

A backend never raises for a request's failure; it returns a `Result` whose
`status_code` says what happened (0 when no HTTP answer came back at all).
The engine decides what to retry (see `Result.retryable`), so backends stay small.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from types import UnionType
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Protocol,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    runtime_checkable,
)

from batchyard.config import ConfigError, ModelConfig
from batchyard.errors import APIError, error_body
from batchyard.ids import request_id

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from batchyard.backends.pacing.pool import UpstreamState


@dataclass(slots=True)
class Request:
    """One line of a batch, or one synchronous call: the endpoint path and the JSON body.

    `interactive` marks a synchronous API call (`POST /v1/embeddings`, ...): a
    backend or pacer serves it ahead of queued batch lines, so batch work never
    starves a caller who is waiting.
    """

    endpoint: str
    body: dict[str, Any]
    custom_id: str
    interactive: bool = False


@dataclass(slots=True)
class Result:
    """The answer to one `Request`.

    `status_code` 0 means no HTTP answer (connection refused, timeout); `body`
    then holds an OpenAI-style error envelope describing it. `retry_after` is
    the upstream's `Retry-After` in seconds, when it sent one. `reached` False
    says the request never got to the upstream (connection refused: a server
    restarting, say), so another try repeats nothing and is not charged as one.
    """

    status_code: int
    body: dict[str, Any]
    request_id: str
    retry_after: float | None = None
    reached: bool = True

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        """Transient: a later attempt may succeed (no answer, 408, 409, 429, 5xx)."""
        return self.status_code in (0, 408, 409, 429) or self.status_code >= 500

    @classmethod
    def rejected(cls, error: APIError) -> Result:
        """The answer to a request the backend refuses (a `BadRequest`, say)."""
        return cls(error.status_code, error.envelope(), request_id())

    @classmethod
    def server_error(cls, backend: str, what: str, exc: Exception) -> Result:
        """A 500 naming what failed inside the backend (a model that would not load)."""
        message = f"{backend}: {what} ({type(exc).__name__}: {exc})."
        return cls(500, error_body(message, type="server_error"), request_id())


@runtime_checkable
class Backend(Protocol):
    """Runs requests for one configured model.

    `endpoints`: the endpoint paths it serves. `max_group`: how many requests
    it wants per `run` call (1 for HTTP upstreams; more for local models that
    batch lines into one forward pass).
    """

    endpoints: ClassVar[frozenset[str]]
    max_group: int

    async def run(self, requests: Sequence[Request]) -> list[Result]:
        """Return exactly one `Result` per request, in the same order."""
        ...

    async def aclose(self) -> None:
        """Release connections, threads or models."""
        ...


@runtime_checkable
class ReportsPacing(Protocol):
    """A backend that paces itself (the `openai` backend) and can say to what limits.

    `max_in_flight` is the most requests it could ever have in flight (the sum of
    its URLs' ceilings); the engine's per-model limiter uses it as a generous cap
    and leaves the real admission to the backend's pacer.
    """

    @property
    def max_in_flight(self) -> int: ...

    def pacing_limits(self) -> dict[str, float]:
        """Limits in force now, by name ("concurrency", "rpm", "tpm", ...)."""
        ...

    def pacing_state(self) -> list[UpstreamState]:
        """Each base URL's limits and health now (for the dashboard's queue page)."""
        ...


@runtime_checkable
class RunsHere(Protocol):
    """A backend that computes on this machine (a local model).

    Its answers arrive one by one as its passes end, so `run_each` hands each to
    `on_result` (index, result) the moment it exists: the engine journals it then,
    and progress moves line by line rather than group by group. Its lines cost
    nothing but local compute to redo, so at a stop the engine cancels the call:
    what has not been computed yet is dropped and runs again on resume.
    """

    async def run_each(
        self, requests: Sequence[Request], on_result: Callable[[int, Result], None]
    ) -> list[Result]:
        """As `run`, also handing each result to `on_result` as soon as it is known."""
        ...


OptionsT = TypeVar("OptionsT", bound="DataclassInstance")


def parse_options(cls: type[OptionsT], model: ModelConfig) -> OptionsT:
    """Build a backend's options dataclass from its `[[models]]` keys.

    Typos and wrong types fail at startup, naming the model, rather than as a
    batch full of failed lines later. The dataclass's `__post_init__` may raise
    `ValueError` for range checks; that becomes a `ConfigError` too.
    """
    where = f"model {model.name!r} (backend {model.backend!r})"
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(model.options) - known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown option(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known)) or 'none'}"
        )
    values = {
        key: _coerce(value, hints[key], f"{where}: option {key!r}")
        for key, value in model.options.items()
    }
    try:
        return cls(**values)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """Check one TOML value against the annotation of its field; ints widen to float.

    Supported: str, bool, int, float, dict[str, str], list[str], and `X | None` of them.
    """
    if get_origin(hint) in (Union, UnionType):
        arms = get_args(hint)
        if value is None and type(None) in arms:
            return None
        (hint,) = [arm for arm in arms if arm is not type(None)]
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint in (bool, str) and isinstance(value, hint):
        return value
    if (
        get_origin(hint) is dict
        and isinstance(value, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        return dict(value)
    if (
        get_origin(hint) is list
        and get_args(hint) == (str,)
        and isinstance(value, list)
        and all(isinstance(v, str) for v in value)
    ):
        return list(value)
    expected = getattr(hint, "__name__", str(hint))
    # The value itself is left out: it may be a secret put in the wrong place.
    raise ConfigError(f"{where} must be {expected}, not {type(value).__name__}")
