"""Which lease holders the engine may declare dead at start-up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from batchyard.engine.engine import dead_local_workers, new_worker_id


def test_only_gone_processes_on_this_host_are_dead() -> None:
    host = socket.gethostname()
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)
    owners = {
        f"{host}:{dead_pid}:abcd1234",  # exited
        f"{host}:{os.getpid()}:abcd1234",  # this very process
        f"elsewhere:{dead_pid}:abcd1234",  # another machine: cannot tell
        "garbage",
    }
    assert dead_local_workers(owners) == {f"{host}:{dead_pid}:abcd1234"}
    assert new_worker_id().startswith(f"{host}:{os.getpid()}:")
