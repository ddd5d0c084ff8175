"""The manifest: a job's state in one JSON file, rewritten atomically after every change.

A job is the input files, the parts they were split into (each one upload and
one batch), and the retry parts added later. Each part records its upload and
its batch *before* the client moves on, and marks the moment it starts an upload
or a create, so a client killed anywhere and run again knows what exists on the
server and what may exist (see `Submitter`). Next to `job.batchyard.json` lives
its work folder `job.batchyard/`: the part files, the request index, and the
downloaded results.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import orjson

from batchyard.client.errors import ToolkitError

FORMAT = "batchyard-manifest/1"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
MANIFEST_SUFFIX = ".batchyard.json"


class ManifestError(ToolkitError):
    """The manifest is missing, unreadable, locked, or does not match the command."""


@dataclass
class InputFile:
    """One file the job was made from; size and hash tell a re-run it is the same file."""

    path: str
    bytes: int
    sha256: str
    requests: int


@dataclass
class Part:
    """One upload and one batch: a chunk of the inputs, or a retry of some lines.

    `state` walks pending -> uploading -> uploaded -> creating -> submitted, or
    ends in `rejected` when the server refused the create. `uploading` and
    `creating` mean "the call may have reached the server": a resume looks
    for what it made before making it again.
    """

    name: str
    path: str  # relative to the work folder
    requests: int
    bytes: int
    round: int = 0  # 0: the split of the inputs; n: the n-th retry
    retried_failures: int = 0  # of a retry's lines, those whose last try was an error line
    state: str = "pending"
    upload_name: str = ""
    file_id: str | None = None
    batch_id: str | None = None
    started_at: float | None = None  # when the current upload or create began
    status: str | None = None  # the batch's status, as last seen
    completed: int = 0
    failed: int = 0
    total: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    error: str | None = None  # why the batch failed or was refused, in a line
    collected: bool = False  # results downloaded and indexed
    results_expired: str | None = None  # why they cannot be: the server deleted them, when
    deleted: list[str] = field(default_factory=list)  # server files cleanup removed
    retry_of: str | None = None  # a retry made by the server from this batch: no local file

    @property
    def terminal(self) -> bool:
        return self.state == "rejected" or self.status in TERMINAL

    @property
    def in_flight(self) -> bool:
        return self.state == "submitted" and not self.terminal


@dataclass
class Manifest:
    path: Path
    job: str
    endpoint: str
    completion_window: str
    max_requests: int
    max_bytes: int
    max_in_flight: int
    base_url: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    created_at: float = field(default_factory=time.time)
    inputs: list[InputFile] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    rounds: int = 0  # retry rounds started
    format: str = FORMAT

    @staticmethod
    def new_job_id() -> str:
        return f"job_{secrets.token_hex(8)}"

    @property
    def work_dir(self) -> Path:
        return work_dir_for(self.path)

    @property
    def index_path(self) -> Path:
        return self.work_dir / "index.sqlite"

    def part_path(self, part: Part) -> Path:
        return self.work_dir / part.path

    @property
    def requests(self) -> int:
        return sum(i.requests for i in self.inputs)

    def save(self) -> None:
        """Write the whole manifest to a temp file, fsync, and rename it over the old one."""
        data: dict[str, Any] = {
            "format": self.format
        }  # first, so `is_manifest` finds it in the head
        data.update((f.name, getattr(self, f.name)) for f in fields(self) if f.name != "path")
        data["inputs"] = [asdict(i) for i in self.inputs]
        data["parts"] = [asdict(p) for p in self.parts]
        payload = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
        write_atomic(self.path, payload)

    def lock(self) -> AbstractContextManager[None]:
        return lock_job(self.path)


@contextmanager
def lock_job(manifest_path: Path) -> Iterator[None]:
    """Hold a job for one command: two commands advancing one job would race."""
    work_dir = work_dir_for(manifest_path)
    work_dir.mkdir(parents=True, exist_ok=True)
    with open(work_dir / ".lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ManifestError(
                f"another batchyard command is working on {manifest_path}; "
                "wait for it or stop it first"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def work_dir_for(manifest_path: Path) -> Path:
    name = manifest_path.name
    stem = name[: -len(".json")] if name.endswith(".json") else name + ".d"
    return manifest_path.with_name(stem)


def default_manifest_path(first_input: Path) -> Path:
    """`data/requests.jsonl` -> `data/requests.batchyard.json`."""
    return first_input.with_name(first_input.name.split(".")[0] + MANIFEST_SUFFIX)


def write_atomic(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load(path: Path) -> Manifest:
    """Read a manifest; a clear error for a missing, foreign or damaged file."""
    try:
        raw: dict[str, Any] = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise ManifestError(f"no manifest at {path} (batchyard submit writes one)") from None
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ManifestError(f"{path} is not a batchyard manifest (format {FORMAT!r})")
    try:
        inputs = [InputFile(**i) for i in raw.pop("inputs")]
        parts = [Part(**p) for p in raw.pop("parts")]
        return Manifest(path=path, inputs=inputs, parts=parts, **raw)
    except (KeyError, TypeError) as exc:
        raise ManifestError(f"{path} is damaged: {exc}") from None


def is_manifest(path: Path) -> bool:
    """Whether `path` looks like a manifest (for commands that take a file or a manifest)."""
    if path.suffix != ".json":
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return FORMAT.encode() in head
