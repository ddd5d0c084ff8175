"""What comes after a run: its cost, a notification, and deleting the server's files."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import openai
import orjson
import pytest
from tests.client.support import ServerFactory, chat_requests, manifest_of, run

from batchyard.client.cost import PRICES, count_tokens, lookup


def test_estimate_counts_characters_and_prices_batch_against_sync(tmp_path: Path) -> None:
    requests = tmp_path / "in.jsonl"
    body = {"model": "gpt-4o-mini-2024-07-18", "max_tokens": 10,
            "messages": [{"role": "user", "content": "x" * 400}]}  # fmt: skip
    line = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": body}
    requests.write_bytes(b"".join(orjson.dumps({**line, "custom_id": f"a{i}"}) + b"\n"
                                  for i in range(1000)))  # fmt: skip
    tokens = count_tokens([requests], None)
    assert (tokens.requests, tokens.input, tokens.output) == (1000, 107_000, 10_000)
    assert tokens.output_capped == 1000 and tokens.model == "gpt-4o-mini-2024-07-18"
    assert lookup("gpt-4o-mini-2024-07-18", None, None).input == PRICES["gpt-4o-mini"][0]
    assert lookup("gpt-4o-2024-08-06", None, None).input == PRICES["gpt-4o"][0]

    # 107,000 in at $1/M + 10,000 out at $2/M = $0.127 sync, $0.0635 at half price.
    out = run("cost", requests, "--input-price", "1", "--output-price", "2")
    assert "$0.1270" in out.output and "$0.0635" in out.output
    listed = run("cost", requests)
    assert "OpenAI list price" in listed.output
    unknown = run("cost", requests, "--model", "my-llama", ok=False)
    assert "no built-in price for model 'my-llama'" in unknown.output


def test_actual_cost_comes_from_the_batches_usage(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server()
    requests = chat_requests(tmp_path / "in.jsonl", 500)
    manifest = tmp_path / "in.batchyard.json"
    run("submit", requests, "--base-url", server.base_url, "--max-requests", "200", "--wait",
        "--interval", "0.1")  # fmt: skip
    job = manifest_of(manifest)
    # The mock counts words: "say <i>" is 2 tokens in and 2 out, for each of 500 lines.
    assert sum(p["input_tokens"] for p in job["parts"]) == 1000
    assert sum(p["output_tokens"] for p in job["parts"]) == 1000
    out = run("cost", manifest, "--input-price", "1000", "--output-price", "3000")
    actual = next(line for line in out.output.splitlines() if "actual" in line)
    # 1,000 x $1000/M + 1,000 x $3000/M = $4 sync, $2 batch.
    assert "$4.0000" in actual and "$2.0000" in actual and "500" in actual


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Hook.received.append(orjson.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def slack() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Hook.received.clear()
    yield f"http://127.0.0.1:{httpd.server_port}/hook"
    httpd.shutdown()
    httpd.server_close()


def test_watch_posts_a_summary_to_slack_without_request_content(
    make_server: ServerFactory, tmp_path: Path, slack: str
) -> None:
    server = make_server()
    requests = chat_requests(tmp_path / "in.jsonl", 50)
    run("submit", requests, "--base-url", server.base_url)
    out = run("watch", tmp_path / "in.batchyard.json", "--interval", "0.1", "--slack-webhook",
              slack, "--notify")  # fmt: skip
    assert "1 completed" in out.output
    assert len(_Hook.received) == 1
    text = _Hook.received[0]["text"]
    assert "50 succeeded, 0 failed of 50 requests" in text
    assert "say" not in text and "r1" not in text  # counts only, never content
    assert slack not in out.output  # the webhook URL is a secret


def test_cleanup_deletes_inputs_and_only_collected_results(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server()
    client = server.client()
    requests = chat_requests(tmp_path / "in.jsonl", 100)
    manifest = tmp_path / "in.batchyard.json"
    run("submit", requests, "--base-url", server.base_url, "--max-requests", "50", "--wait",
        "--interval", "0.1")  # fmt: skip
    parts = manifest_of(manifest)["parts"]
    outputs = [p["output_file_id"] for p in parts]

    early = run("cleanup", manifest)
    assert "not collected yet" in early.output and "deleted 2 files" in early.output
    for part in parts:
        with pytest.raises(openai.NotFoundError):
            client.files.retrieve(part["file_id"])
    assert all(client.files.retrieve(f).id == f for f in outputs)  # results kept

    run("collect", manifest, "-o", tmp_path / "out.jsonl")
    assert "deleted 2 files" in run("cleanup", manifest).output
    for file_id in outputs:
        with pytest.raises(openai.NotFoundError):
            client.files.retrieve(file_id)
    assert "deleted 0 files" in run("cleanup", manifest).output
    # The results are safe locally: collect still merges them with the server's copies gone.
    assert "100 ok" in run("collect", manifest, "-o", tmp_path / "again.jsonl").output
