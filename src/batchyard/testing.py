"""Run a real batchyard server from tests: yours or ours.

    from batchyard.testing import ServerProcess, write_config

    config = write_config(tmp / "batchyard.toml", models=[{"name": "m", "backend": "mock"}])
    with ServerProcess(config, tmp / "data") as server:
        client = OpenAI(base_url=server.base_url, api_key="unused")

The server is a child process (`python -m batchyard serve`) on a free loopback
port, so a test can also SIGKILL it and start it again on the same data.
`ServerProcess(..., args=["--no-worker"])` runs the API alone and
`WorkerProcess` runs `batchyard worker`, for deployments of many processes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx


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
    if isinstance(value, dict):  # an inline table: headers = { "api-key" = "..." }
        pairs = ", ".join(f"{toml_value(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }"
    return str(value)


def write_config(
    path: Path,
    *,
    models: list[dict[str, Any]],
    database_url: str | None = None,
    blob_url: str | None = None,
    s3: dict[str, Any] | None = None,
    limits: dict[str, Any] | None = None,
    engine: dict[str, Any] | None = None,
    webhooks: dict[str, Any] | None = None,
    monitor: dict[str, Any] | None = None,
    prices: list[dict[str, Any]] | None = None,
    project_defaults: dict[str, Any] | None = None,
    projects: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """Write a batchyard TOML config from plain Python values."""
    lines = []
    if database_url:
        lines.append(f"database_url = {toml_value(database_url)}")
    if blob_url:
        lines.append(f"blob_url = {toml_value(blob_url)}")
    tables = [
        ("s3", s3),
        ("limits", limits),
        ("engine", engine),
        ("webhooks", webhooks),
        ("monitor", monitor),
        ("project_defaults", project_defaults),
    ]
    tables += [(f"projects.{toml_value(name)}", v) for name, v in (projects or {}).items()]
    for table, values in tables:
        if values:
            lines.append(f"[{table}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    for array, items in (("models", models), ("prices", prices or [])):
        for item in items:
            lines.append(f"[[{array}]]")
            lines += [f"{k} = {toml_value(v)}" for k, v in item.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


class ServerProcess:
    """One `batchyard serve` child process on a fixed port and data dir."""

    def __init__(
        self,
        config: Path,
        data_dir: Path,
        log: Path | None = None,
        args: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """`args` are extra command options, e.g. `["--host", "0.0.0.0"]`."""
        self.config, self.data_dir = config, data_dir
        self.log = log or data_dir.with_name(data_dir.name + ".log")
        self.args, self.env = list(args), dict(env or {})
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._log_start = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        return ["serve", "--port", str(self.port), *self._common(), *self.args]

    def _common(self) -> list[str]:
        return ["--data-dir", str(self.data_dir), "--config", str(self.config)]

    def start(self) -> ServerProcess:
        """Start the process and wait until it is ready."""
        return self.spawn().wait_ready()

    def spawn(self) -> ServerProcess:
        """Start the process without waiting: start several, then wait for each."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_start = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "batchyard", *self.command()],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        return self

    def wait_ready(self) -> ServerProcess:
        assert self.proc is not None, "spawn() first"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()[-3000:]}")
            if self.ready():
                return self
            time.sleep(0.05)
        raise RuntimeError("server did not become healthy")

    def ready(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

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

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.stop()


class WorkerProcess(ServerProcess):
    """One `batchyard worker` child process: the engine alone, no port."""

    def command(self) -> list[str]:
        return ["worker", *self._common(), *self.args]

    def ready(self) -> bool:
        return b" started" in self.log.read_bytes()[self._log_start :]
