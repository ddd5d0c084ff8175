"""What the toolkit tests share: a real server process per test, the CLI, request files."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import openai
import orjson
from click.testing import CliRunner, Result

from batchyard.cli import cli
from batchyard.testing import ServerProcess, write_config

MOCK = {"name": "batchyard-mock", "backend": "mock", "max_concurrency": 64}


class Server(ServerProcess):
    def client(self) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key="test", max_retries=0)

    def restart(self, models: list[dict[str, Any]]) -> None:
        """Stop, rewrite the config, start again on the same port and data."""
        self.stop()
        write_config(self.config, models=models, limits=self.limits)
        self.start()

    limits: dict[str, Any] | None = None

    def batches(self, job: str | None = None) -> list[Any]:
        found = list(self.client().batches.list(limit=100))
        return [b for b in found if job is None or (b.metadata or {}).get("batchyard_job") == job]


ServerFactory = Callable[..., Server]


def run(*args: str | Path, ok: bool = True) -> Result:
    """`batchyard ARGS` in this process; asserts the exit code (0, or non-zero if not ok)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
    return result


def spawn(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`batchyard ARGS` as a child process (to be killed). Its output is dropped: a pipe
    nobody reads could fill and stall it, and would be left open when it is killed."""
    return subprocess.Popen(
        [sys.executable, "-m", "batchyard", *map(str, args)],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forked test process.
_MEASURED = """
import re, sys
from batchyard.cli import main
sys.argv = ["batchyard", *sys.argv[1:]]
try:
    main()
finally:
    status = open("/proc/self/status").read()
    print("peak_rss_kb=" + re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
"""


def run_measured(*args: str | Path) -> tuple[str, int]:
    """`batchyard ARGS` in a child process; its output and peak memory (KiB)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output, int(output.rsplit("peak_rss_kb=", 1)[1].split()[0])


def chat_requests(path: Path, n: int, model: str = "batchyard-mock", prefix: str = "r") -> Path:
    with open(path, "wb") as out:
        for i in range(n):
            line = {
                "custom_id": f"{prefix}{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": model, "messages": [{"role": "user", "content": f"say {i}"}]},
            }
            out.write(orjson.dumps(line) + b"\n")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def manifest_of(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


class WithoutRetryRoute:
    """A front for a real server that answers `POST .../retry` as OpenAI does an unknown
    route (404 `Invalid URL`) and passes every other request through unchanged.

    It stands for an upstream without batchyard's extensions, so the toolkit's
    fallback runs against the real server's Files and Batches API.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.refused = 0
        self.http = httpx.Client(timeout=60)
        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # the test's output stays the CLI's

            def do_GET(self) -> None:
                self.forward()

            def do_POST(self) -> None:
                self.forward()

            def do_DELETE(self) -> None:
                self.forward()

            def forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.command == "POST" and self.path.rstrip("/").endswith("/retry"):
                    front.refused += 1
                    message = f"Invalid URL ({self.command} {self.path})"
                    error = {"message": message, "type": "invalid_request_error"}
                    self.reply(
                        404, {"content-type": "application/json"}, orjson.dumps({"error": error})
                    )
                    return
                path = self.path.removeprefix("/v1")
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                answer = front.http.request(
                    self.command, front.upstream + path, headers=headers, content=body
                )
                kept = {
                    k: v
                    for k, v in answer.headers.items()
                    if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")
                }
                self.reply(answer.status_code, kept, answer.content)

            def reply(self, status: int, headers: dict[str, str], content: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
        self.http.close()
