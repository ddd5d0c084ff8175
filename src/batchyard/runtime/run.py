"""`batchyard run`: one batch file to completion in this process, no server.

The same engine and store as the server run here; the input is registered as a
`batch` file, a batch is created for it, and the engine runs until the batch
ends. A state file records which batch belongs to which input, so running the
same command after Ctrl-C or kill -9 continues that batch instead of starting
over.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import signal
import sys
import time
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from batchyard import ids
from batchyard.blobs.keys import file_key
from batchyard.config import Limits, Settings
from batchyard.records import BatchRecord, FileRecord
from batchyard.runtime.serve import Services, running_engine

PROJECT = "default"
# The hosted per-batch caps: they share a server fairly, and mean nothing to one local file.
SERVER_CAPS = ("max_requests_per_batch", "max_batch_file_bytes")


@dataclass
class JobOutcome:
    batch: BatchRecord
    resumed: bool
    seconds: float
    output: Path | None
    errors: Path | None


def input_key(path: Path) -> str:
    """Identifies an input file by what it holds: a streaming SHA-256 of its bytes, so a
    rewrite with the same content (a new mtime) resumes, and a copy elsewhere does too."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()[:32]


def _path_state(settings: Settings, path: Path) -> Path:
    """Which batch last ran for this path, whatever its content was then."""
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]
    return settings.data_dir / "runs" / "paths" / f"{name}.json"


def _supersede(services: Services, path: Path, batch_id: str) -> None:
    """Cancel the unfinished batch an earlier content of `path` left, so that no later
    run quietly finishes an orphan; then remember `batch_id` as the path's batch."""
    marker = _path_state(services.settings, path)
    if marker.exists():
        previous = orjson.loads(marker.read_bytes())["batch_id"]
        old = services.store.get_batch(PROJECT, previous)
        if previous != batch_id and old is not None and not old.status.terminal:
            services.store.request_cancel(PROJECT, previous, int(time.time()))
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_bytes(orjson.dumps({"batch_id": batch_id}))


def endpoint_of(path: Path) -> str:
    """The batch endpoint is the `url` of the first request line."""
    with path.open("rb") as fh:
        for raw in fh:
            if raw.strip():
                try:
                    url = orjson.loads(raw.removeprefix(b"\xef\xbb\xbf")).get("url")
                except (orjson.JSONDecodeError, AttributeError):
                    break
                if isinstance(url, str):
                    return url
                break
    return "/v1/chat/completions"


def local_limits(limits: Limits, set_in_config: Collection[str]) -> Limits:
    """A local run has no per-batch cap (lines, bytes) unless its config sets one: the
    engine runs a file of any length in flat memory, shard by shard."""
    uncapped: dict[str, Any] = {cap: sys.maxsize for cap in SERVER_CAPS}
    return replace(limits, **{k: v for k, v in uncapped.items() if k not in set_in_config})


def _state_path(settings: Settings, key: str) -> Path:
    return settings.data_dir / "runs" / f"{key}.json"


def _register(services: Services, path: Path, key: str) -> tuple[BatchRecord, bool]:
    """The batch for this input: the one recorded earlier, or a new one."""
    settings, store = services.settings, services.store
    state = _state_path(settings, key)
    if state.exists():
        batch_id = orjson.loads(state.read_bytes())["batch_id"]
        existing = store.get_batch(PROJECT, batch_id)
        if existing is not None:
            _supersede(services, path, existing.id)
            return existing, True
    now = int(time.time())
    file_id = ids.file_id()
    with path.open("rb") as src, services.blobs.writer(file_key(file_id)) as dst:
        shutil.copyfileobj(src, dst, 4 * 1024 * 1024)
    store.add_file(
        FileRecord(
            id=file_id,
            project=PROJECT,
            purpose="batch",
            filename=path.name,
            bytes=path.stat().st_size,
            created_at=now,
            expires_at=None,
            blob_key=file_key(file_id),
        )
    )
    window = settings.limits.completion_windows[0]
    batch = BatchRecord.new(
        project=PROJECT,
        endpoint=endpoint_of(path),
        input_file_id=file_id,
        completion_window=window,
        now=now,
        metadata={"batchyard_input": path.name},
    )
    store.add_batch(batch)
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_bytes(orjson.dumps({"batch_id": batch.id, "input": str(path.resolve())}))
    _supersede(services, path, batch.id)
    return batch, False


def _export(services: Services, file_id: str | None, target: Path) -> Path | None:
    """Copy a result file out of the blob store, or remove a stale one at `target`."""
    if file_id is None:
        target.unlink(missing_ok=True)
        return None
    record = services.store.get_file(PROJECT, file_id)
    if record is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    with services.blobs.reader(record.blob_key) as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, 4 * 1024 * 1024)
    return target


class Interrupted(Exception):
    """Ctrl-C ended the run before the batch did; its journal keeps what was done."""

    def __init__(self, batch: BatchRecord) -> None:
        super().__init__(batch.id)
        self.batch = batch


async def _run(
    services: Services,
    batch: BatchRecord,
    on_progress: Callable[[BatchRecord], None],
    on_interrupt: Callable[[int, int, bool], None],
) -> BatchRecord:
    """Run until the batch ends. A first Ctrl-C stops the engine (lines at an upstream
    finish and are journaled; a local model's queued lines are left for the resume);
    a second cancels everything at once."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    interrupts = 0

    def interrupt() -> None:
        nonlocal interrupts
        interrupts += 1
        finishing, unanswered = services.engine.unfinished()
        on_interrupt(finishing, unanswered, interrupts > 1)
        if interrupts == 1:
            services.engine.stop()
        elif main is not None:
            main.cancel()

    loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        async with running_engine(services.engine) as engine_task:
            while True:
                current = await asyncio.to_thread(services.store.get_batch, PROJECT, batch.id)
                assert current is not None
                on_progress(current)
                if current.status.terminal:
                    return current
                if interrupts or engine_task.done():
                    break
                await asyncio.sleep(0.25)
        # Drained: every line the stop let finish is journaled and counted now.
        current = await asyncio.to_thread(services.store.get_batch, PROJECT, batch.id)
        raise Interrupted(current or batch)
    except asyncio.CancelledError:
        current = await asyncio.to_thread(services.store.get_batch, PROJECT, batch.id)
        raise Interrupted(current or batch) from None
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        await services.backends.aclose()


async def _settle(tasks: set[asyncio.Task[Any]]) -> None:
    await asyncio.gather(*tasks, return_exceptions=True)


def _run_loop(job: Coroutine[Any, Any, BatchRecord]) -> BatchRecord:
    """`asyncio.run`, except that an interrupted run does not wait for its worker threads:
    one may be loading a model for many seconds, and nothing it does is needed any more
    (the journal and the store are durable by then)."""
    loop = asyncio.new_event_loop()
    interrupted = False
    try:
        return loop.run_until_complete(job)
    except Interrupted:
        interrupted = True
        raise
    finally:
        try:
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            if left:
                loop.run_until_complete(_settle(left))
            loop.run_until_complete(loop.shutdown_asyncgens())
            if not interrupted:
                loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()


def run_file(
    settings: Settings,
    path: Path,
    *,
    output: Path,
    errors: Path,
    on_start: Callable[[BatchRecord, bool], None] = lambda b, r: None,
    on_progress: Callable[[BatchRecord], None] = lambda b: None,
    on_interrupt: Callable[[int, int, bool], None] = lambda finishing, unanswered, hard: None,
) -> JobOutcome:
    """Run (or resume) the batch for `path` and write its output and error files."""
    services = Services.open(settings)
    started = time.monotonic()
    try:
        batch, resumed = _register(services, path, input_key(path))
        on_start(batch, resumed)
        final = _run_loop(_run(services, batch, on_progress, on_interrupt))
        return JobOutcome(
            batch=final,
            resumed=resumed,
            seconds=time.monotonic() - started,
            output=_export(services, final.output_file_id, output),
            errors=_export(services, final.error_file_id, errors),
        )
    finally:
        services.close()


__all__ = ["Interrupted", "JobOutcome", "endpoint_of", "input_key", "local_limits", "run_file"]
