"""What an upstream says about its limits: `x-ratelimit-*`, `Retry-After`, `retry-after-ms`.

OpenAI sends limits, remaining budget and the time until the budget is full
again, for requests and for tokens; resets are Go-style durations ("1s",
"6m0s", "120ms", "1h2m3.5s"). Anything unparsable is ignored, not guessed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|ns|h|m|s)")


def parse_duration(text: str) -> float | None:
    """Seconds in an OpenAI reset value ("6m0s", "120ms", "1h2m3.5s", or a bare number)."""
    text = text.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))  # some servers send plain seconds
    except ValueError:
        pass
    total = 0.0
    position = 0
    for match in _PART.finditer(text):
        if match.start() != position:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    return total if position == len(text) else None


def _number(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _duration(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    return None if value is None else parse_duration(value)


@dataclass(frozen=True, slots=True)
class RateLimitHeaders:
    """The `x-ratelimit-*` values of one response; None where the upstream sent none."""

    limit_requests: float | None = None
    limit_tokens: float | None = None
    remaining_requests: float | None = None
    remaining_tokens: float | None = None
    reset_requests: float | None = None  # seconds until the request budget is full
    reset_tokens: float | None = None

    @classmethod
    def parse(cls, headers: Mapping[str, str]) -> RateLimitHeaders:
        """`headers` must look names up case-insensitively (httpx.Headers does)."""
        return cls(
            limit_requests=_number(headers, "x-ratelimit-limit-requests"),
            limit_tokens=_number(headers, "x-ratelimit-limit-tokens"),
            remaining_requests=_number(headers, "x-ratelimit-remaining-requests"),
            remaining_tokens=_number(headers, "x-ratelimit-remaining-tokens"),
            reset_requests=_duration(headers, "x-ratelimit-reset-requests"),
            reset_tokens=_duration(headers, "x-ratelimit-reset-tokens"),
        )


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait, from `retry-after-ms` (OpenAI) or `retry-after` (seconds or a date).

    `now` is wall-clock time (for the HTTP-date form); tests pass it.
    """
    millis = _number(headers, "retry-after-ms")
    if millis is not None:
        return millis / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(headers, "retry-after")
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))
