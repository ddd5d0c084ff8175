"""Start a job's parts as batches, at most K in flight, so that a re-run never duplicates one.

Every server call that creates something is bracketed in the manifest: the part
is marked `uploading`/`creating` (saved) before the call, and its file or
batch id is saved right after. A client killed between the call and the save
leaves the mark; on resume the part looks for what it may have made — a file
by its unique upload name, a batch by the `batchyard_job`/`batchyard_part`
metadata every batch carries — and adopts it instead of making another.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from collections.abc import Callable, Container, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batchyard.client.connection import make_client, resolve_base_url
from batchyard.client.errors import ToolkitError
from batchyard.client.index import Index
from batchyard.client.manifest import InputFile, Manifest, Part, load
from batchyard.client.models import served_models
from batchyard.client.server_retry import NotOffered, post_retry
from batchyard.client.split import split_files
from batchyard.client.validate import infer_endpoint, require_valid

if TYPE_CHECKING:
    import openai

JOB_KEY = "batchyard_job"
PART_KEY = "batchyard_part"
# How far back (seconds) a resume searches lists for what it may have created,
# measured from when it started the call; generous for clock skew.
_LOOKBACK = 3600
# Fault injection for tests: "<point>:<part name>" SIGKILLs this process there.
CRASH_ENV = "BATCHYARD_CLIENT_CRASH_AT"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class JobOptions:
    """What a new job is made with: `batchyard submit`'s options and `pipeline.prepare`'s
    keywords, under the names the manifest records them by. A resumed job keeps its own."""

    base_url: str | None = None
    endpoint: str | None = None
    completion_window: str = "24h"
    max_requests: int = 50_000
    max_bytes: int = 200 * 1024 * 1024
    max_in_flight: int = 3
    metadata: dict[str, str] = field(default_factory=dict)


def open_job(
    inputs: list[Path], manifest_path: Path, options: JobOptions, check_models: bool = True
) -> tuple[Manifest, bool]:
    """The job of `manifest_path`, and whether it was resumed: the recorded one (whose
    inputs must be the same files), else a new one, validated against the models the
    server offers, split and recorded (`create_job`). The caller holds `lock_job`.

    The one implementation of the step: `batchyard submit` and `pipeline.prepare` both
    call it.
    """
    if manifest_path.exists():
        job = load(manifest_path)
        check_same_inputs(job, inputs)
        return job, True
    if len(options.metadata) > 14:
        raise ToolkitError("at most 14 --metadata pairs (batchyard adds 2 of OpenAI's 16)")
    url = resolve_base_url(options.base_url)
    endpoint = options.endpoint or infer_endpoint(inputs[0])
    options = replace(options, base_url=url, endpoint=endpoint)
    manifest = Manifest(path=manifest_path, job=Manifest.new_job_id(), **asdict(options))
    models = served_models(make_client(url), endpoint) if check_models else None
    return create_job(inputs, manifest, models), False


def create_job(
    inputs: list[Path], manifest: Manifest, models: Container[str] | None = None
) -> Manifest:
    """Validate the inputs, split them into parts in the work folder, write the manifest.

    Nothing touches the server yet. Killed before the manifest is written, a
    re-run starts the split over; after, it resumes.
    """
    for path in inputs:
        report = require_valid(path, manifest.endpoint, models)
        manifest.inputs.append(InputFile(str(path), path.stat().st_size, sha256_of(path), 0))
        manifest.inputs[-1].requests = report.requests
    parts_dir = manifest.work_dir / "parts"
    with Index(manifest.index_path) as index:
        index.reset_requests()
        files = split_files(
            inputs,
            parts_dir,
            max_requests=manifest.max_requests,
            max_bytes=manifest.max_bytes,
            index=index,
            name=lambda n: f"part-{n:04d}",
        )
    for file in files:
        manifest.parts.append(
            Part(
                name=file.name,
                path=f"parts/{file.name}.jsonl",
                requests=file.requests,
                bytes=file.bytes,
                upload_name=f"{manifest.job}-{file.name}.jsonl",
            )
        )
    manifest.save()
    return manifest


def check_same_inputs(manifest: Manifest, inputs: Iterable[Path]) -> None:
    """A re-run must name the same files, unchanged; otherwise it is another job.

    Names and contents are compared, not full paths: a job may be resumed from
    another directory.
    """
    recorded = [(Path(i.path).name, i.bytes, i.sha256) for i in manifest.inputs]
    given = [(p.name, p.stat().st_size, sha256_of(p)) for p in inputs]
    if recorded != given:
        raise ToolkitError(
            f"{manifest.path} was made from other or changed input files; resume it with "
            "`batchyard watch`, or start a new job with --manifest NEW.json"
        )


class Submitter:
    """Advances one job: refreshes batches in flight, starts parts while slots are free."""

    def __init__(
        self,
        manifest: Manifest,
        client: openai.OpenAI,
        on_event: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.manifest = manifest
        self.client = client
        self.on_event = on_event
        self.raise_not_offered = False  # `retry` sets it to fall back to a client-side part

    @property
    def all_started(self) -> bool:
        return all(p.state in ("submitted", "rejected") for p in self.manifest.parts)

    @property
    def all_terminal(self) -> bool:
        return all(p.terminal for p in self.manifest.parts)

    def advance(self) -> None:
        self.refresh()
        for part in self.manifest.parts:
            if sum(p.in_flight for p in self.manifest.parts) >= self.manifest.max_in_flight:
                break
            if part.state not in ("submitted", "rejected"):
                self.start(part)

    def refresh(self) -> None:
        """Read the status of every batch in flight; save if anything changed."""
        changed = False
        for part in self.manifest.parts:
            if part.in_flight and part.batch_id:
                before = (part.status, part.completed, part.failed)
                self.record(part, self.client.batches.retrieve(part.batch_id))
                if part.terminal and before[0] != part.status:
                    self.on_event(f"{part.name}: {part.status} ({self.counts(part)})")
                changed |= before != (part.status, part.completed, part.failed)
        if changed:
            self.manifest.save()

    def start(self, part: Part) -> None:
        if part.state in ("pending", "uploading"):
            self.upload(part)
        if part.state in ("uploaded", "creating"):
            self.create(part)

    def upload(self, part: Part) -> None:
        if part.state == "uploading":
            found = self.find_file(part)
            if found is not None:
                part.file_id, part.state = found, "uploaded"
                self.manifest.save()
                self.on_event(f"{part.name}: found its upload {found} from an earlier run")
                return
        part.state, part.started_at = "uploading", time.time()
        self.manifest.save()
        with open(self.manifest.part_path(part), "rb") as file:
            uploaded = self.client.files.create(
                file=(part.upload_name, file, "application/jsonl"), purpose="batch"
            )
        crash_point("uploaded", part)
        part.file_id, part.state, part.started_at = uploaded.id, "uploaded", None
        self.manifest.save()

    def create(self, part: Part) -> None:
        if part.state == "creating":
            found = self.find_batch(part)
            if found is not None:
                self.adopt(part, found)
                self.on_event(f"{part.name}: found its batch {found.id} from an earlier run")
                return
        part.state, part.started_at = "creating", time.time()
        self.manifest.save()
        import openai

        tags = {**self.manifest.metadata, JOB_KEY: self.manifest.job, PART_KEY: part.name}
        if part.retry_of is not None:
            self.create_on_server(part, tags)
            return
        assert part.file_id is not None
        try:
            batch = self.client.batches.create(
                input_file_id=part.file_id,
                endpoint=self.manifest.endpoint,  # type: ignore[arg-type]
                completion_window=self.manifest.completion_window,  # type: ignore[arg-type]
                metadata=tags,
            )
        except openai.APIStatusError as exc:
            if exc.status_code in (408, 409, 429) or exc.status_code >= 500:
                raise
            part.state, part.error, part.started_at = "rejected", _message(exc), None
            self.manifest.save()
            self.on_event(f"{part.name}: the server refused the batch: {part.error}")
            return
        crash_point("created", part)
        self.adopt(part, batch)
        self.on_event(f"{part.name}: batch {batch.id} ({part.requests:,} requests)")

    def create_on_server(self, part: Part, tags: dict[str, str]) -> None:
        """`POST /v1/batches/{retry_of}/retry`; NotOffered goes up (called from `retry`) or,
        on a resume, refuses the part: its lines are then retried client-side next time."""
        assert part.retry_of is not None
        try:
            batch = post_retry(self.client, part.retry_of, tags)
        except NotOffered as exc:
            if self.raise_not_offered:
                raise
            part.state, part.started_at = "rejected", None
            part.error = f"the server did not retry {part.retry_of}: {exc.why}"
            self.manifest.save()
            self.on_event(f"{part.name}: {part.error}; `batchyard retry` sends them again")
            return
        crash_point("created", part)
        self.adopt(part, batch)
        self.on_event(
            f"{part.name}: batch {batch.id} ({part.requests:,} requests, retried by the server "
            f"from {part.retry_of})"
        )

    def adopt(self, part: Part, batch: Any) -> None:
        part.batch_id, part.state, part.started_at = batch.id, "submitted", None
        self.record(part, batch)
        self.manifest.save()

    def find_file(self, part: Part) -> str | None:
        for file in _recent(self.client.files.list(purpose="batch"), part.started_at):
            if file.filename == part.upload_name and file.bytes == part.bytes:
                return str(file.id)
        return None

    def find_batch(self, part: Part) -> Any | None:
        for batch in _recent(self.client.batches.list(limit=100), part.started_at):
            meta = batch.metadata or {}
            if meta.get(JOB_KEY) == self.manifest.job and meta.get(PART_KEY) == part.name:
                return batch
        return None

    @staticmethod
    def record(part: Part, batch: Any) -> None:
        """Copy what the toolkit needs from a Batch object into the part."""
        part.status = batch.status
        counts = batch.request_counts
        if counts is not None:
            part.total, part.completed, part.failed = counts.total, counts.completed, counts.failed
        usage = getattr(batch, "usage", None)
        if usage is not None:
            part.input_tokens, part.output_tokens = usage.input_tokens, usage.output_tokens
            details = usage.input_tokens_details
            part.cached_tokens = details.cached_tokens if details is not None else 0
        part.output_file_id = batch.output_file_id or None
        part.error_file_id = batch.error_file_id or None
        if batch.status == "failed" and batch.errors is not None and batch.errors.data:
            first = batch.errors.data[0]
            where = f"line {first.line}: " if first.line else ""
            more = len(batch.errors.data) - 1
            part.error = f"{where}{first.code}: {first.message}" + (
                f" (and {more} more)" if more else ""
            )

    @staticmethod
    def counts(part: Part) -> str:
        if part.state == "rejected":
            return f"refused: {part.error}"
        text = f"{part.completed:,} ok, {part.failed:,} failed of {part.total or part.requests:,}"
        return f"{text}; {part.error}" if part.error else text


def _recent(items: Iterable[Any], since: float | None) -> Iterable[Any]:
    """Items of a list until they are older than `since` minus the lookback.

    Stops early only once two items show the list is newest first (OpenAI's and
    batchyard's order); a list in any other order is read to the end.
    """
    cutoff = (since or 0) - _LOOKBACK
    previous: int | None = None
    descending = True
    for item in items:
        created = int(item.created_at)
        if previous is not None:
            if created > previous:
                descending = False
            elif descending and created < cutoff:
                return
        previous = created
        yield item


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            code = f" {error['code']}" if error.get("code") else ""
            return f"{exc.status_code}{code}: {error['message']}"
    return f"{exc.status_code} {exc.message}"


def crash_point(point: str, part: Part) -> None:
    """Die here, without cleanup, when a test asks for it (BATCHYARD_CLIENT_CRASH_AT)."""
    if os.environ.get(CRASH_ENV) == f"{point}:{part.name}":
        os.kill(os.getpid(), signal.SIGKILL)
