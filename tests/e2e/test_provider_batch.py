"""The `openai-batch` backend against a real upstream: a second `batchyard serve`.

The upstream runs the mock model and takes at most 1,000 lines per batch; the
downstream's model of the same name sends its lines there as pieces. What the
upstream's own batch list says is the proof: no piece made twice, none too big.
"""

from __future__ import annotations

import io
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import orjson
import pytest
from tests.e2e.conftest import chat_lines, results, wait_for

from batchyard.backends.pacing.tokens import TokenEstimator
from batchyard.endpoints import CHAT
from batchyard.testing import ServerProcess, write_config

UP_LIVE = {"validating", "in_progress", "finalizing", "cancelling"}

MODEL = "gpt-up"


class Pair:
    """An upstream batchyard and a downstream one whose model sends pieces to it."""

    def __init__(
        self,
        tmp: Path,
        database_url: str,
        upstream_mock: dict[str, Any],
        *,
        up: dict[str, Any] | None = None,
        options: dict[str, Any] | None = None,
        engine: dict[str, Any] | None = None,
        down: dict[str, Any] | None = None,
        down_models: list[dict[str, Any]] | None = None,
    ) -> None:
        up_cfg = write_config(
            tmp / "up.toml",
            models=[{"name": MODEL, "backend": "mock", "max_concurrency": 64, **upstream_mock}],
            **{
                "limits": {"max_requests_per_batch": 1000},
                "engine": {"shard_lines": 250},
                **(up or {}),
            },
        )
        self.up = ServerProcess(up_cfg, tmp / "up-data").start()
        down_cfg = write_config(
            tmp / "down.toml",
            database_url=database_url,
            models=[
                {
                    "name": MODEL,
                    "backend": "openai-batch",
                    "base_url": self.up.base_url,
                    "max_lines_per_batch": 1000,
                    "poll_seconds": 0.2,
                    "max_concurrency": 8,
                    **(options or {}),
                },
                *(down_models or []),
            ],
            engine={"shard_lines": 2000, "lease_seconds": 5, **(engine or {})},
            **(down or {}),
        )
        self.down = ServerProcess(down_cfg, tmp / "down-data").start()

    def client(self, server: ServerProcess) -> openai.OpenAI:
        return openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=3)

    def submit(self, lines: int, window: str = "24h") -> str:
        client = self.client(self.down)
        file = client.files.create(
            file=("in.jsonl", io.BytesIO(chat_lines(lines, MODEL))), purpose="batch"
        )
        return client.batches.create(
            input_file_id=file.id,
            endpoint="/v1/chat/completions",
            completion_window=window,  # type: ignore[arg-type]
        ).id

    def upstream_batches(self) -> list[Any]:
        return list(self.client(self.up).batches.list(limit=100))

    def close(self) -> None:
        for server in (self.down, self.up):
            if server.proc is not None and server.proc.poll() is None:
                server.proc.kill()
                server.proc.wait()


@pytest.fixture
def pair_factory(tmp_path: Path, database_url: str) -> Iterator[Any]:
    made: list[Pair] = []

    def make(upstream_mock: dict[str, Any] | None = None, **kwargs: Any) -> Pair:
        made.append(Pair(tmp_path, database_url, upstream_mock or {}, **kwargs))
        return made[-1]

    yield make
    for pair in made:
        pair.close()


def contents(rows: list[dict[str, Any]]) -> dict[str, str]:
    return {r["custom_id"]: r["response"]["body"]["choices"][0]["message"]["content"] for r in rows}


def assert_pieces_unique(pair: Pair, batch_id: str) -> list[Any]:
    ours = [
        b for b in pair.upstream_batches() if (b.metadata or {}).get("batchyard_batch") == batch_id
    ]
    keys = Counter(b.metadata["batchyard_piece"] for b in ours)
    assert all(n == 1 for n in keys.values()), f"a piece was created twice: {keys}"
    assert all(b.request_counts.total <= 1000 for b in ours)
    return ours


def test_a_batch_is_cut_into_pieces_and_equals_a_direct_run(pair_factory: Any) -> None:
    pair = pair_factory(engine={"shard_lines": 250})  # intake joins them into 1,000-line shards
    batch_id = pair.submit(20_000)
    down = pair.client(pair.down)
    batch = wait_for(down, batch_id, {"completed", "failed", "expired", "cancelled"}, 300)
    assert batch.status == "completed", batch
    assert batch.request_counts.completed == 20_000 and batch.request_counts.failed == 0
    out = results(down, batch.output_file_id)
    assert Counter(r["custom_id"] for r in out) == Counter(f"r{i}" for i in range(20_000))

    ours = assert_pieces_unique(pair, batch_id)
    assert len(ours) == 20
    pieces = batch.model_extra["batchyard"]["pieces"]
    assert pieces["total"] == 20 and pieces["by_status"] == {"finished": 20}
    assert pieces["enqueued_tokens"] == 0 and pieces["live"] == []
    assert sum(b.request_counts.total for b in ours) == 20_000

    up = pair.client(pair.up)
    file = up.files.create(file=("d.jsonl", io.BytesIO(chat_lines(20_000, MODEL))), purpose="batch")
    # The upstream takes 1,000 lines a batch, so the direct run is one of its pieces' size.
    direct = up.batches.create(
        input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    direct = wait_for(up, direct.id, {"failed"}, 30)  # too big for it: the reason for pieces
    small = up.files.create(file=("s.jsonl", io.BytesIO(chat_lines(1000, MODEL))), purpose="batch")
    run = up.batches.create(
        input_file_id=small.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    run = wait_for(up, run.id, {"completed"}, 60)
    expected = contents(results(up, run.output_file_id))
    got = contents(out)
    assert {k: got[k] for k in expected} == expected
    assert batch.usage.input_tokens > 0


def test_kill_9_at_random_moments_makes_no_piece_twice(pair_factory: Any) -> None:
    pair = pair_factory({"latency_ms": 2})
    batch_id = pair.submit(6_000)
    rng = random.Random(15)
    for _ in range(3):
        time.sleep(rng.uniform(0.3, 2.5))
        pair.down.kill()
        pair.down.start()
    down = pair.client(pair.down)
    batch = wait_for(down, batch_id, {"completed", "failed", "expired", "cancelled"}, 300)
    assert batch.status == "completed", batch
    out = results(down, batch.output_file_id) + results(down, batch.error_file_id)
    assert Counter(r["custom_id"] for r in out) == Counter(f"r{i}" for i in range(6_000))
    ours = assert_pieces_unique(pair, batch_id)
    assert sum(b.request_counts.completed for b in ours) >= 6_000


def test_cancel_in_the_middle_cancels_the_pieces_and_keeps_what_finished(
    pair_factory: Any,
) -> None:
    pair = pair_factory({"latency_ms": 20, "max_group": 1, "max_concurrency": 4})  # ~200 lines/s
    batch_id = pair.submit(4_000)
    down = pair.client(pair.down)
    deadline = time.monotonic() + 60
    while not [b for b in pair.upstream_batches() if b.status == "in_progress"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(1)
    live = down.batches.retrieve(batch_id).model_extra["batchyard"]["pieces"]
    assert live["live"] and live["enqueued_tokens"] > 0
    upstream_ids = {b.id for b in pair.upstream_batches()}
    assert {p["id"] for p in live["live"]} <= upstream_ids
    down.batches.cancel(batch_id)
    batch = wait_for(down, batch_id, {"cancelled"}, 120)
    out = results(down, batch.output_file_id)
    err = results(down, batch.error_file_id)
    assert Counter(r["custom_id"] for r in out + err) == Counter(f"r{i}" for i in range(4_000))
    assert out, "what the pieces finished before the cancel is kept"
    assert {r["error"]["code"] for r in err} <= {"batch_cancelled"}
    ours = assert_pieces_unique(pair, batch_id)
    assert {b.status for b in ours} <= {"cancelled", "completed"}
    assert "cancelled" in {b.status for b in ours}


def test_upstream_pieces_refused_or_expired_with_partial_results_are_resubmitted(
    pair_factory: Any,
) -> None:
    """The upstream holds 1,500 enqueued lines (a second piece fails validation there) and
    its batches expire after 3 s, part done: every line still lands once."""
    pair = pair_factory(
        {"latency_ms": 10, "max_group": 1, "max_concurrency": 2},
        up={
            "limits": {"max_requests_per_batch": 1000, "completion_windows": ["3s"]},
            "project_defaults": {"max_enqueued_lines": 1500},
            "engine": {"shard_lines": 250},
        },
        options={"completion_window": "3s"},
        engine={"max_attempts": 100},
    )
    batch_id = pair.submit(3_000)
    down = pair.client(pair.down)
    batch = wait_for(down, batch_id, {"completed", "failed", "expired", "cancelled"}, 300)
    assert batch.status == "completed", batch
    assert batch.request_counts.completed == 3_000
    out = results(down, batch.output_file_id)
    assert Counter(r["custom_id"] for r in out) == Counter(f"r{i}" for i in range(3_000))
    statuses = Counter(b.status for b in assert_pieces_unique(pair, batch_id))
    assert statuses["failed"] >= 1, statuses  # refused for the enqueued-line quota
    assert statuses["expired"] >= 1, statuses  # ended with part of its lines run


def test_the_enqueued_token_limit_is_never_passed(pair_factory: Any) -> None:
    estimator = TokenEstimator(MODEL)
    per_line = {
        f"r{i}": estimator.estimate(CHAT, body).total
        for i, body in enumerate(
            orjson.loads(line)["body"] for line in chat_lines(5_000, MODEL).splitlines()
        )
    }
    limit = sum(list(per_line.values())[:2_500])
    pair = pair_factory({"latency_ms": 1}, options={"enqueued_tokens": limit})
    batch_id = pair.submit(5_000)
    down = pair.client(pair.down)
    batch = wait_for(down, batch_id, {"completed", "failed", "expired", "cancelled"}, 300)
    assert batch.status == "completed", batch
    up = pair.client(pair.up)
    pieces = []
    for b in assert_pieces_unique(pair, batch_id):
        lines = up.files.content(b.input_file_id).content.splitlines()
        tokens = sum(per_line[orjson.loads(line)["custom_id"]] for line in lines)
        assert tokens <= limit
        pieces.append((b.created_at, b.completed_at or b.failed_at or b.expired_at, tokens))
    for created, _, _ in pieces:
        live = sum(t for c, end, t in pieces if c <= created and (end is None or end > created))
        assert live <= limit, (live, limit)


def metric(server: ServerProcess, name: str, **labels: str) -> float | None:
    """One sample of the server's /metrics, by name and labels."""
    text = httpx.get(server.base_url.removesuffix("/v1") + "/metrics", timeout=10).text
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        found = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if found and found[1] == name and ",".join(sorted((found[2] or "").split(","))) == want:
            return float(found[3])
    return None


def test_near_the_deadline_the_fallback_model_runs_the_stragglers_once(
    pair_factory: Any,
) -> None:
    """The upstream runs ~20 lines/s, so its 1,000-line pieces would end long after the
    batch's 20 s window. With 12 s left the fallback model (a fast mock) takes every line
    still out; the pieces are cancelled upstream, and what they ran is not counted twice."""
    pair = pair_factory(
        {"latency_ms": 50, "max_group": 1, "max_concurrency": 1},
        options={"fallback": "gpt-now", "fallback_seconds": 12},
        down={
            "limits": {"completion_windows": ["24h", "20s"]},
            "prices": [
                {"model": MODEL, "input_per_1m": 1.0, "output_per_1m": 2.0},
                {"model": "gpt-now", "input_per_1m": 1.0, "output_per_1m": 2.0},
            ],
        },
        down_models=[{"name": "gpt-now", "backend": "mock", "max_concurrency": 8}],
    )
    batch_id = pair.submit(2_000, window="20s")
    down = pair.client(pair.down)
    batch = wait_for(down, batch_id, {"completed", "failed", "expired", "cancelled"}, 60)
    assert batch.status == "completed", batch
    assert batch.request_counts.completed == 2_000
    out = results(down, batch.output_file_id)
    assert Counter(r["custom_id"] for r in out) == Counter(f"r{i}" for i in range(2_000))

    ours = assert_pieces_unique(pair, batch_id)
    assert ours and {b.status for b in ours} <= {"cancelled", "cancelling"}
    ran_upstream = sum(b.request_counts.completed for b in pair.upstream_batches())
    assert ran_upstream > 0, "the pieces ran lines before the hand-over"
    pieces = batch.model_extra["batchyard"]["pieces"]
    fallback = pieces["fallback"]
    assert fallback["model"] == "gpt-now"
    assert 0 < fallback["lines"] <= 2_000
    assert fallback["lines"] >= 2_000 - ran_upstream  # the rest can only be the pieces'
    assert fallback["usage"]["input_tokens"] > 0 and fallback["cost_usd"] > 0
    assert pieces["live"] == [] and pieces["enqueued_tokens"] == 0
    cost = batch.model_extra["batchyard"]["cost"]
    assert cost["batch"] >= fallback["cost_usd"]  # those lines at the synchronous price


def test_a_refusal_for_the_enqueued_limit_is_waited_out_and_its_limit_learned(
    pair_factory: Any,
) -> None:
    """The upstream holds 1,500 enqueued lines and the downstream knows no limit: the
    first pieces at once are refused (enqueued_line_limit_exceeded, OpenAI's
    token_limit_exceeded), the limit is learned from what was enqueued then, and the
    lines wait their turn. After that, no piece is refused again."""
    pair = pair_factory(
        {"latency_ms": 2, "max_group": 1, "max_concurrency": 2},
        up={
            "limits": {"max_requests_per_batch": 1000},
            "project_defaults": {"max_enqueued_lines": 1500},
            "engine": {"shard_lines": 250},
        },
        engine={"max_attempts": 1},  # a refusal is no try: one failure would lose lines
    )
    batch_id = pair.submit(4_000)
    down = pair.client(pair.down)
    batch = wait_for(down, batch_id, {"completed", "failed", "expired", "cancelled"}, 300)
    assert batch.status == "completed", batch
    out = results(down, batch.output_file_id)
    assert Counter(r["custom_id"] for r in out) == Counter(f"r{i}" for i in range(4_000))

    ours = assert_pieces_unique(pair, batch_id)
    refused = [b for b in ours if b.status == "failed"]
    assert refused, "the upstream refused a piece"
    assert all(e.code == "enqueued_line_limit_exceeded" for b in refused for e in b.errors.data)
    first_done = min(b.completed_at for b in ours if b.status == "completed")
    assert all(b.created_at <= first_done for b in refused), "refused again after learning"
    pieces = batch.model_extra["batchyard"]["pieces"]
    learned = pieces["learned_enqueued_tokens"]
    assert learned is not None and learned > 0
    assert pieces["by_status"].get("refused") == len(refused)
    assert (
        metric(pair.down, "batchyard_piece_enqueued_token_limit", model=MODEL, kind="learned")
        == learned
    )
    assert metric(pair.down, "batchyard_pieces", model=MODEL, status="refused") == len(refused)
    assert metric(pair.down, "batchyard_piece_enqueued_tokens", model=MODEL) == 0


def test_a_learned_limit_is_forgotten_after_relearn_seconds_and_a_raised_one_used(
    pair_factory: Any, tmp_path: Path
) -> None:
    """The upstream holds 1,500 enqueued lines, then is restarted holding 100,000. Under
    the limit learned from the first refusals, pieces would be cut to that limit and go
    one at a time; with `relearn_seconds = 1` the downstream tries again above it, and
    the second batch goes as three 1,000-line pieces enqueued together, none refused."""
    pair = pair_factory(
        {"latency_ms": 5, "max_group": 1, "max_concurrency": 2},
        up={"project_defaults": {"max_enqueued_lines": 1500}},
        options={"relearn_seconds": 1},
        engine={"max_attempts": 1},
    )
    down = pair.client(pair.down)
    first = wait_for(down, pair.submit(3_000), {"completed", "failed"}, 300)
    assert first.status == "completed", first
    assert [b for b in assert_pieces_unique(pair, first.id) if b.status == "failed"]

    pair.up.stop()
    config = tmp_path / "up.toml"
    text = config.read_text()
    assert "max_enqueued_lines = 1500" in text
    config.write_text(text.replace("max_enqueued_lines = 1500", "max_enqueued_lines = 100000"))
    pair.up.start()
    time.sleep(1.5)  # what was learned is older than relearn_seconds now

    batch_id, most_live = pair.submit(3_000), 0
    deadline = time.monotonic() + 300
    while (batch := down.batches.retrieve(batch_id)).status not in {"completed", "failed"}:
        assert time.monotonic() < deadline, batch
        live = batch.model_extra["batchyard"].get("pieces", {}).get("live", [])
        most_live = max(most_live, len(live))
        time.sleep(0.1)
    assert batch.status == "completed", batch
    out = results(down, batch.output_file_id)
    assert Counter(r["custom_id"] for r in out) == Counter(f"r{i}" for i in range(3_000))
    ours = assert_pieces_unique(pair, batch_id)
    assert [b.status for b in ours] == ["completed"] * 3, (
        "cut small or refused: the old learned limit held"
    )
    assert most_live >= 2, "the pieces went one at a time, as under the learned limit"


def test_a_429_on_create_is_retried_and_creates_nothing_twice(pair_factory: Any) -> None:
    """The upstream keeps at most two batches open per project: the third piece's create
    is refused with 429 until one ends, then made once."""
    pair = pair_factory(
        {"latency_ms": 5, "max_group": 1, "max_concurrency": 4},
        up={
            "limits": {"max_requests_per_batch": 1000},
            "project_defaults": {"max_active_batches": 2},
            "engine": {"shard_lines": 250},
        },
    )
    batch_id = pair.submit(4_000)
    down = pair.client(pair.down)
    batch = wait_for(down, batch_id, {"completed", "failed", "expired", "cancelled"}, 300)
    assert batch.status == "completed", batch
    out = results(down, batch.output_file_id)
    assert Counter(r["custom_id"] for r in out) == Counter(f"r{i}" for i in range(4_000))
    ours = assert_pieces_unique(pair, batch_id)
    assert len(ours) == 4 and {b.status for b in ours} == {"completed"}
    assert "upstream 429" in pair.down.log.read_text(), "no create was refused"
    assert metric(pair.down, "batchyard_pieces", model=MODEL, status="finished") == 4


@pytest.mark.postgres
def test_two_workers_on_one_database_never_pass_the_enqueued_limit_together(
    tmp_path: Path, postgres_url: str
) -> None:
    """Two downstream servers share one PostgreSQL and one blob folder; both run pieces of
    one batch. The upstream's own batch list, read over and over while it runs, never
    holds more estimated tokens than the limit."""
    estimator = TokenEstimator(MODEL)
    bodies = [orjson.loads(line)["body"] for line in chat_lines(8_000, MODEL).splitlines()]
    per_line = {f"r{i}": estimator.estimate(CHAT, body).total for i, body in enumerate(bodies)}
    limit = sum(list(per_line.values())[:2_500])
    up_cfg = write_config(
        tmp_path / "up.toml",
        models=[{"name": MODEL, "backend": "mock", "max_concurrency": 64, "latency_ms": 1}],
        limits={"max_requests_per_batch": 1000},
        engine={"shard_lines": 250},
    )
    down_cfg = write_config(
        tmp_path / "down.toml",
        database_url=postgres_url,
        blob_url=str(tmp_path / "blobs"),
        models=[
            {
                "name": MODEL,
                "backend": "openai-batch",
                "base_url": "http://127.0.0.1:1/v1",  # replaced below, once the port is known
                "max_lines_per_batch": 1000,
                "enqueued_tokens": limit,
                "poll_seconds": 0.2,
                "max_concurrency": 4,
            }
        ],
        engine={"shard_lines": 1000, "lease_seconds": 5},
    )
    up = ServerProcess(up_cfg, tmp_path / "up-data").start()
    down_cfg.write_text(down_cfg.read_text().replace("http://127.0.0.1:1/v1", up.base_url))
    downs = [ServerProcess(down_cfg, tmp_path / f"down{i}").spawn() for i in range(2)]
    servers = [up, *downs]
    sdk = openai.OpenAI(base_url=downs[0].base_url, api_key="test", max_retries=3)
    upstream = openai.OpenAI(base_url=up.base_url, api_key="test", max_retries=3)
    try:
        for server in downs:
            server.wait_ready()
        file = sdk.files.create(
            file=("in.jsonl", io.BytesIO(chat_lines(8_000, MODEL))), purpose="batch"
        )
        batch = sdk.batches.create(
            input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        readings: list[set[str]] = []
        deadline = time.monotonic() + 300
        while batch.status not in {"completed", "failed", "expired", "cancelled"}:
            assert time.monotonic() < deadline
            page = upstream.batches.list(limit=100)
            readings.append({b.id for b in page.data if b.status in UP_LIVE})
            batch = sdk.batches.retrieve(batch.id)
        assert batch.status == "completed", batch
        out = results(sdk, batch.output_file_id)
        assert Counter(r["custom_id"] for r in out) == Counter(f"r{i}" for i in range(8_000))
        ours = [b for b in upstream.batches.list(limit=100) if b.metadata]
        assert Counter(b.metadata["batchyard_piece"] for b in ours).most_common(1)[0][1] == 1
        tokens = {
            b.id: sum(
                per_line[orjson.loads(line)["custom_id"]]
                for line in upstream.files.content(b.input_file_id).content.splitlines()
            )
            for b in ours
        }
        assert len(readings) > 10 and max(len(r) for r in readings) > 1
        peak = max(sum(tokens.get(i, 0) for i in r) for r in readings)
        assert peak <= limit, (peak, limit)
        for server in downs:  # both workers ran pieces of the batch
            assert "piece shard" in server.log.read_text(), server.log
    finally:
        sdk.close()
        upstream.close()
        for server in servers:
            if server.proc is not None and server.proc.poll() is None:
                server.proc.kill()
                server.proc.wait()


def test_kill_9_while_the_fallback_runs_lands_every_line_once(pair_factory: Any) -> None:
    """The downstream dies while its fallback model is halfway through the stragglers; the
    restarted one hands the rest over again and goes on from the recorded count."""
    pair = pair_factory(
        {"latency_ms": 50, "max_group": 1, "max_concurrency": 1},
        options={"fallback": "gpt-now", "fallback_seconds": 50},
        down={"limits": {"completion_windows": ["24h", "60s"]}},
        down_models=[
            {
                "name": "gpt-now",
                "backend": "mock",
                "latency_ms": 50,
                "max_group": 1,
                "max_concurrency": 4,
            }
        ],
    )
    batch_id = pair.submit(2_000, window="60s")
    down = pair.client(pair.down)
    deadline = time.monotonic() + 40
    before = 0
    while before == 0:
        assert time.monotonic() < deadline, "the fallback never started"
        time.sleep(0.2)
        pieces = down.batches.retrieve(batch_id).model_extra["batchyard"]["pieces"]
        before = pieces["fallback"]["lines"]
    down.close()
    pair.down.kill()
    pair.down.start()
    down = pair.client(pair.down)
    batch = wait_for(down, batch_id, {"completed", "failed", "expired", "cancelled"}, 90)
    assert batch.status == "completed", batch
    out = results(down, batch.output_file_id)
    assert Counter(r["custom_id"] for r in out) == Counter(f"r{i}" for i in range(2_000))
    assert_pieces_unique(pair, batch_id)
    fallback = batch.model_extra["batchyard"]["pieces"]["fallback"]
    # Every line landed once (above). The fallback's count is a report that can lag by the
    # lines the killed process answered after its last checkpoint (issue 15, open), so it
    # is bounded, not matched to the upstream's share.
    assert before <= fallback["lines"] <= 2_000
