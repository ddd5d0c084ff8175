"""A real `batchyard serve` process per test, driven by the official openai SDK.

These tests use the product as a user does: a config file, the CLI, HTTP on a
loopback port. They can SIGKILL the process and start it again on the same data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import openai
import orjson
import pytest

from batchyard.testing import ServerProcess, write_config


class Server(ServerProcess):
    """A server process with openai SDK clients pointed at it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closers: list[Callable[[], None]] = []

    def on_stop(self, close: Callable[[], None]) -> None:
        """Call `close` when the test's servers are stopped (clients a helper opened)."""
        self.closers.append(close)

    def client(self, api_key: str = "test", **kwargs: Any) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key=api_key, max_retries=0, **kwargs)

    def async_client(self, api_key: str = "test", **kwargs: Any) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(base_url=self.base_url, api_key=api_key, max_retries=0, **kwargs)


ServerFactory = Callable[..., Server]


@pytest.fixture
def make_server(tmp_path: Path, database_url: str) -> Iterator[ServerFactory]:
    """Start servers with a given config; every one is stopped at the end of the test."""
    started: list[Server] = []

    def factory(
        models: list[dict[str, Any]] | None = None, args: Sequence[str] = (), **config: Any
    ) -> Server:
        index = len(started)
        cfg = write_config(
            tmp_path / f"config{index}.toml",
            database_url=database_url,
            models=models or [{"name": "batchyard-mock", "backend": "mock", "max_concurrency": 64}],
            **config,
        )
        server = Server(cfg, tmp_path / "data", tmp_path / f"server{index}.log", args)
        started.append(server)
        server.start()
        return server

    yield factory
    for server in started:
        for close in server.closers:
            close()
        if server.proc is not None and server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


def chat_lines(n: int, model: str = "batchyard-mock", prefix: str = "r") -> bytes:
    return b"".join(
        orjson.dumps(
            {
                "custom_id": f"{prefix}{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": model, "messages": [{"role": "user", "content": f"say {i}"}]},
            }
        )
        + b"\n"
        for i in range(n)
    )


def wait_for(client: openai.OpenAI, batch_id: str, statuses: set[str], timeout: float = 60) -> Any:
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
