"""The bench's fake upstream limits like OpenAI, so the pacer is measured against the real shape."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
import pytest
from bench.fake_upstream import FakeSettings, FakeUpstream, format_reset

GO_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$|^(\d+)ms$")


def parse_reset(text: str) -> float:
    match = GO_DURATION.match(text)
    assert match and text, text
    hours, minutes, seconds, millis = match.groups()
    if millis is not None:
        return int(millis) / 1000
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


def chat(seed: int, max_tokens: int = 100) -> dict[str, Any]:
    content = f"Ticket {seed}: the export to CSV times out again."
    messages = [{"role": "user", "content": content}]
    return {"model": "m", "messages": messages, "max_tokens": max_tokens}


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.12, "120ms"),
        (0.0004, "1ms"),
        (1, "1s"),
        (17.5, "17.5s"),
        (360, "6m0s"),
        (3601.5, "1h0m1.5s"),
    ],
)
def test_reset_uses_openai_duration_format(seconds: float, text: str) -> None:
    assert format_reset(seconds) == text
    assert parse_reset(text) == pytest.approx(seconds, abs=0.001)


async def test_tokens_past_the_limit_get_openai_429_with_headers() -> None:
    settings = FakeSettings(rpm=1000, tpm=600, base_latency=0, per_token_latency=0)
    async with FakeUpstream(settings) as upstream, httpx.AsyncClient() as client:
        first = await client.post(f"{upstream.url}/chat/completions", json=chat(1, 500))
        assert first.status_code == 200
        usage = first.json()["usage"]
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
        assert first.headers["x-request-id"]
        # 500 max_tokens are reserved up front; the unused part comes back with the answer.
        left = 600 - usage["total_tokens"]
        assert int(first.headers["x-ratelimit-remaining-tokens"]) == pytest.approx(left, abs=2)

        refused = await client.post(f"{upstream.url}/chat/completions", json=chat(2, 590))
        assert refused.status_code == 429
        error = refused.json()["error"]
        assert (error["type"], error["code"]) == ("tokens", "rate_limit_exceeded")
        assert refused.headers["x-ratelimit-limit-tokens"] == "600"
        assert refused.headers["x-ratelimit-limit-requests"] == "1000"
        assert int(refused.headers["x-ratelimit-remaining-requests"]) == 999
        reset = parse_reset(refused.headers["x-ratelimit-reset-tokens"])
        assert reset == pytest.approx(usage["total_tokens"] / 10, abs=0.2)  # 10 tokens/s
        wait_ms = int(refused.headers["retry-after-ms"])
        assert int(refused.headers["retry-after"]) == -(-wait_ms // 1000)
        assert 0 < wait_ms <= reset * 1000 + 5
        assert upstream.stats.rate_limited == upstream.stats.rate_limited_tokens == 1


async def test_requests_limit_and_start_empty() -> None:
    settings = FakeSettings(rpm=600, tpm=10**6, start_empty=True, per_token_latency=0)
    async with FakeUpstream(settings) as upstream, httpx.AsyncClient() as client:
        refused = await client.post(f"{upstream.url}/chat/completions", json=chat(1))
        assert refused.status_code == 429
        assert refused.json()["error"]["type"] == "requests"
        assert 0 < int(refused.headers["retry-after-ms"]) <= 100  # 10 requests/s
        await asyncio.sleep(0.12)
        assert (await client.post(f"{upstream.url}/chat/completions", json=chat(1))).is_success


async def test_completion_length_is_a_function_of_the_request() -> None:
    settings = FakeSettings(headers=False, base_latency=0, per_token_latency=0)
    async with FakeUpstream(settings) as upstream, httpx.AsyncClient() as client:
        sizes = []
        for seed in (1, 1, 2):
            answer = await client.post(f"{upstream.url}/chat/completions", json=chat(seed, 40))
            assert not any(h.startswith("x-ratelimit") for h in answer.headers)
            sizes.append(answer.json()["usage"]["completion_tokens"])
        assert sizes[0] == sizes[1] and all(10 <= s <= 40 for s in sizes)
        stats = (await client.get(upstream.url.removesuffix("/v1") + "/stats")).json()["stats"]
        assert stats["completion_tokens"] == sum(sizes)


async def test_concurrency_engine_peaks_at_the_knee() -> None:
    settings = FakeSettings(
        mode="concurrency", knee=4, base_latency=0.2, per_token_latency=0, thrash=0.1
    )

    async def burst(client: httpx.AsyncClient, url: str, n: int) -> float:
        started = time.perf_counter()
        bodies = [chat(i) for i in range(n)]
        answers = await asyncio.gather(*(client.post(url, json=b) for b in bodies))
        assert all(a.status_code == 200 for a in answers)
        return time.perf_counter() - started

    async with FakeUpstream(settings) as upstream, httpx.AsyncClient() as client:
        url = f"{upstream.url}/chat/completions"
        at_knee = await burst(client, url, 4)
        flooded = await burst(client, url, 8)
        assert at_knee == pytest.approx(0.2, abs=0.1)
        # 8 in flight: the first 4 run at speed 0.6 (0.33 s), then 4 at full speed (0.2 s).
        assert flooded == pytest.approx(0.533, abs=0.12)
        assert upstream.stats.max_in_flight == 8
        assert upstream.stats.work_seconds == pytest.approx(12 * 0.2)
