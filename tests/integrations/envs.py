"""The heavy third-party environments (scripts/extra-envs) the integration tests drive.

Each lives in its own venv under BATCHYARD_ENV_CACHE (default ~/.cache/batchyard-envs)
and runs as a child process with this checkout's src/ on PYTHONPATH, so the
batchyard under test is always this one. Without the env, the test skips and says
which command makes it; `.ci/run` makes them all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def env_dir(name: str) -> Path:
    cache = os.environ.get("BATCHYARD_ENV_CACHE") or str(Path.home() / ".cache/batchyard-envs")
    return Path(cache) / name


def extra_env(name: str) -> Path:
    """The env's folder; skips the test, naming the script, when it was not made."""
    env = env_dir(name)
    if not (env / ".batchyard-stamp").exists():
        pytest.skip(f"needs the {name} environment: run `scripts/extra-envs {name}` (CI does)")
    return env


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a child in an extra env: this checkout's batchyard first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONHOME"))}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    env.update(extra)
    return env
