"""The toolkit against a real `batchyard serve` process (SQLite, mock backend).

Commands run in-process through click's CliRunner (fast), or as child
processes where a test must SIGKILL the client.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.client.support import MOCK, Server, ServerFactory

from batchyard.testing import write_config


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[ServerFactory]:
    started: list[Server] = []

    def factory(
        models: list[dict[str, Any]] | None = None,
        limits: dict[str, Any] | None = None,
        **config_tables: Any,
    ) -> Server:
        index = len(started)
        config = write_config(
            tmp_path / f"server{index}.toml",
            models=models or [MOCK],
            limits=limits,
            **config_tables,
        )
        server = Server(config, tmp_path / f"data{index}", tmp_path / f"server{index}.log")
        server.limits = limits
        started.append(server)
        return server.start()  # type: ignore[return-value]

    yield factory
    for server in started:
        if server.proc is not None and server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
