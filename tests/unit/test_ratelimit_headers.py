"""Reading what an upstream says about its limits: OpenAI's headers and durations."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest

from batchyard.backends.pacing.ratelimit_headers import (
    RateLimitHeaders,
    parse_duration,
    retry_after,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("120ms", 0.12),
        ("1h2m3.5s", 3723.5),
        ("17.5s", 17.5),
        ("0s", 0.0),
        ("250us", 0.00025),
        ("2", 2.0),  # plain seconds, as some compatible servers send
        ("0.5", 0.5),
    ],
)
def test_openai_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "5x", "1s2", "m1s", "-1s", "1s 2m"])
def test_unparsable_durations_are_none(text: str) -> None:
    assert parse_duration(text) is None


def test_all_six_headers_are_read_case_insensitively() -> None:
    headers = httpx.Headers(
        {
            "X-RateLimit-Limit-Requests": "5000",
            "x-ratelimit-limit-tokens": "2000000",
            "x-ratelimit-remaining-requests": "4999",
            "x-ratelimit-remaining-tokens": "1999500",
            "x-ratelimit-reset-requests": "12ms",
            "x-ratelimit-reset-tokens": "6m0s",
        }
    )
    assert RateLimitHeaders.parse(headers) == RateLimitHeaders(
        limit_requests=5000,
        limit_tokens=2_000_000,
        remaining_requests=4999,
        remaining_tokens=1_999_500,
        reset_requests=0.012,
        reset_tokens=360.0,
    )


def test_missing_or_garbled_headers_are_none() -> None:
    parsed = RateLimitHeaders.parse(
        httpx.Headers({"x-ratelimit-limit-tokens": "lots", "x-ratelimit-remaining-tokens": "-3"})
    )
    assert parsed == RateLimitHeaders()


def test_retry_after_ms_wins_over_retry_after() -> None:
    headers = httpx.Headers({"retry-after-ms": "1500", "retry-after": "2"})
    assert retry_after(headers) == 1.5


def test_retry_after_in_seconds_and_as_a_date() -> None:
    assert retry_after(httpx.Headers({"retry-after": "7"})) == 7.0
    now = 1_800_000_000.0
    date = formatdate(now + 30, usegmt=True)
    assert retry_after(httpx.Headers({"retry-after": date}), now=now) == pytest.approx(30.0)
    assert retry_after(httpx.Headers({"retry-after": "whenever"})) is None
    assert retry_after(httpx.Headers({})) is None
