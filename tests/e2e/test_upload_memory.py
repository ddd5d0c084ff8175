"""An upload twice over the default caps is refused while it streams: the server's memory
stays flat. Measured on a real `batchyard serve` process from /proc/<pid>/status.

The body is sent chunked, with no Content-Length, so only the streaming cap can
stop it. The peak (VmHWM) is reset just before, so it is the upload's own peak.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from batchyard.config import Limits
from batchyard.testing import ServerProcess, write_config

MiB = 1024 * 1024
BOUNDARY = "b0undary"
MAX_GROWTH_MIB = 50


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in MiB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(value.split()[0]) // 1024
    return values


def form(size: int, purpose: str, filename: str) -> Iterator[bytes]:
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n{purpose}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"'
        "\r\n\r\n"
    ).encode()
    chunk = b'{"custom_id": "x"}\n' * 55_000  # ~1 MiB
    for _ in range(size // len(chunk) + 1):
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("purpose", "filename", "cap"),
    [
        ("user_data", "big.bin", Limits().max_upload_bytes),
        ("batch", "big.jsonl", Limits().max_batch_file_bytes),
    ],
)
def test_twice_the_cap_is_refused_with_flat_memory(
    tmp_path: Path, purpose: str, filename: str, cap: int
) -> None:
    assert cap in (512 * MiB, 200 * MiB)  # the defaults, as documented
    config = write_config(tmp_path / "c.toml", models=[{"name": "m", "backend": "mock"}])
    with (
        ServerProcess(config, tmp_path / "data") as server,
        httpx.Client(base_url=server.base_url, timeout=120) as http,
    ):
        assert server.proc is not None
        pid = server.proc.pid
        http.get("/files").raise_for_status()  # warm: the code paths are loaded
        before = memory(pid)["VmRSS"]
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak
        response = http.post(
            "/files",
            content=form(2 * cap, purpose, filename),
            headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        after = memory(pid)
        assert "content-length" not in response.request.headers
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "file_too_large"
        growth = after["VmHWM"] - before
        print(json.dumps({"purpose": purpose, "sent_mib": 2 * cap // MiB, "growth_mib": growth}))
        assert growth < MAX_GROWTH_MIB, (before, after)
        assert http.get("/files").json()["data"] == []
    assert not any((tmp_path / "data" / "blobs").rglob("*.tmp"))
