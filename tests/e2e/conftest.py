"""A real `batchyard serve` process per test, driven by the official openai SDK.

These tests use the product as a user does: a config file, the CLI, HTTP on a
loopback port. They can SIGKILL the process and start it again on the same data.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import orjson
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def write_config(path: Path, *, database_url: str | None, models: list[dict[str, Any]],
                 limits: dict[str, Any] | None = None, engine: dict[str, Any] | None = None) -> Path:
    lines = []
    if database_url:
        lines.append(f"database_url = {toml_value(database_url)}")
    for table, values in (("limits", limits), ("engine", engine)):
        if values:
            lines.append(f"[{table}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    for model in models:
        lines.append("[[models]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in model.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


class Server:
    """One `batchyard serve` child process on a fixed port and data dir."""

    def __init__(self, config: Path, data_dir: Path, log: Path) -> None:
        self.config, self.data_dir, self.log = config, data_dir, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> Server:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "batchyard", "serve", "--port", str(self.port),
                 "--data-dir", str(self.data_dir), "--config", str(self.config)],
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not become healthy")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> int:
        """SIGTERM, as an init system would; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def client(self, **kwargs: Any) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key="test", max_retries=0, **kwargs)

    def async_client(self, **kwargs: Any) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(base_url=self.base_url, api_key="test", max_retries=0, **kwargs)


ServerFactory = Callable[..., Server]


@pytest.fixture
def make_server(tmp_path: Path, database_url: str) -> Iterator[ServerFactory]:
    """Start servers with a given config; every one is stopped at the end of the test."""
    started: list[Server] = []

    def factory(models: list[dict[str, Any]] | None = None, **config: Any) -> Server:
        index = len(started)
        cfg = write_config(
            tmp_path / f"config{index}.toml",
            database_url=database_url,
            models=models or [{"name": "batchyard-mock", "backend": "mock",
                               "max_concurrency": 64}],
            **config,
        )
        server = Server(cfg, tmp_path / "data", tmp_path / f"server{index}.log")
        started.append(server)
        return server.start()

    yield factory
    for server in started:
        if server.proc is not None and server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


def chat_lines(n: int, model: str = "batchyard-mock", prefix: str = "r") -> bytes:
    return b"".join(
        orjson.dumps({
            "custom_id": f"{prefix}{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": model, "messages": [{"role": "user", "content": f"say {i}"}]},
        }) + b"\n"
        for i in range(n)
    )


def wait_for(client: openai.OpenAI, batch_id: str, statuses: set[str],
             timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        batch = client.batches.retrieve(batch_id)
        if batch.status in statuses:
            return batch
        if time.monotonic() > deadline:
            raise AssertionError(f"batch stuck in {batch.status}: {batch}")
        time.sleep(0.1)


def results(client: openai.OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    if file_id is None:
        return []
    return [orjson.loads(line) for line in client.files.content(file_id).content.splitlines()]
