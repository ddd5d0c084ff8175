"""Download every finished batch's output and error files, and merge them in input order.

Downloads stream to the work folder (a file is fetched once; a re-run skips
it) and each line's custom_id, outcome and offset go into the job's index.
Merging walks the index in input order and copies each request's best line
(a success from any attempt beats an error; a later error beats an earlier
one), so memory stays flat however many lines there are.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import orjson

from batchyard.client.index import Index, ResultLine
from batchyard.client.manifest import Manifest, Part
from batchyard.client.results import classify, missing_line, open_writer

if TYPE_CHECKING:
    import openai

_SAMPLE = 20


@dataclass
class Outcome:
    """What a merge found; `missing` lists custom_ids without any result (first few)."""

    total: int = 0
    ok: int = 0
    failed: int = 0
    missing: int = 0
    pending: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    missing_ids: list[str] = field(default_factory=list)
    missing_by_part: Counter[str] = field(default_factory=Counter)  # the line's last part

    @property
    def complete(self) -> bool:
        return self.ok == self.total


def download(manifest: Manifest, client: openai.OpenAI, index: Index) -> int:
    """Fetch and index the result files of terminal parts not yet collected; return how many."""
    import openai  # here, not at import: the CLI starts without the SDK

    fetched = 0
    results_dir = manifest.work_dir / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    for seq, part in enumerate(manifest.parts):
        if not part.terminal or part.collected:
            continue
        for kind, file_id in (("output", part.output_file_id), ("error", part.error_file_id)):
            if file_id is None:
                continue
            relative = f"results/{part.name}.{kind}.jsonl"
            if not index.is_indexed(relative):
                try:
                    _fetch(client, file_id, manifest.work_dir / relative)
                except openai.NotFoundError:
                    # The server's retention sweeper deleted it: no re-run brings it back.
                    part.results_expired = _expiry(client, part, file_id)
                    continue
                index.add_results(relative, seq, _result_lines(manifest.work_dir / relative))
                fetched += 1
        part.collected = True
        manifest.save()
    return fetched


def _expiry(client: openai.OpenAI, part: Part, file_id: str) -> str:
    """Say that `part`'s results expired, and when: from the batch's end, if it is known."""
    import openai

    ended = None
    try:
        batch = client.batches.retrieve(part.batch_id or "")
        ended = batch.completed_at or batch.failed_at or batch.expired_at or batch.cancelled_at
    except openai.APIStatusError:
        pass  # the batch row went too: only the file's id is left to name
    said = f"the server deleted result file {file_id} when it expired"
    if ended is None:
        return said
    return (
        f"{said} (the batch ended {_utc(ended)}; servers keep result files 30 days after "
        "by default, or as the batch's output_expires_after says)"
    )


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def _fetch(client: openai.OpenAI, file_id: str, dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".part")
    with client.files.with_streaming_response.content(file_id) as response, open(tmp, "wb") as out:
        for chunk in response.iter_bytes(1024 * 1024):
            out.write(chunk)
    os.replace(tmp, dest)


def _result_lines(path: Path) -> Iterator[ResultLine]:
    offset = 0
    with open(path, "rb") as file:
        for raw in file:
            line = raw.rstrip(b"\r\n")
            if line.strip():
                obj = orjson.loads(line)
                ok, code, tokens_in, tokens_out = classify(obj)
                custom_id = str(obj["custom_id"])
                yield ResultLine(custom_id, ok, offset, len(line), code, tokens_in, tokens_out)
            offset += len(raw)


def merge(manifest: Manifest, index: Index, output: Path, fmt: str | None = None) -> Outcome:
    """Write one line per input request, in input order, to `output`."""
    outcome = Outcome()
    parts = {p.name: p for p in manifest.parts}
    writer = open_writer(output, fmt)
    files: dict[str, IO[bytes]] = {}
    try:
        for row in index.rows():
            outcome.total += 1
            if row.file is not None and (row.ok or finished(parts.get(row.latest))):
                handle = files.get(row.file)
                if handle is None:
                    path = manifest.work_dir / row.file
                    handle = files[row.file] = open(path, "rb")  # noqa: SIM115 - closed below
                handle.seek(row.offset)
                line = handle.read(row.length)
                if row.ok:
                    outcome.ok += 1
                    writer.write(line, "ok")
                else:
                    outcome.failed += 1
                    outcome.codes[row.code or "unknown"] += 1
                    writer.write(line, "error")
            elif finished(parts.get(row.latest)):
                outcome.missing += 1
                outcome.missing_by_part[row.latest] += 1
                if len(outcome.missing_ids) < _SAMPLE:
                    outcome.missing_ids.append(row.custom_id)
                part = parts.get(row.latest)
                if part is not None and part.results_expired:
                    message = f"No result for this request: {part.results_expired}."
                else:
                    why = f"status {part.status or part.state}" if part else "unknown part"
                    message = f"No result for this request: its batch ended without one ({why})."
                writer.write(missing_line(row.custom_id, "batchyard_missing", message), "missing")
            else:
                outcome.pending += 1
                message = "Its batch has not finished yet; collect again later."
                writer.write(missing_line(row.custom_id, "batchyard_pending", message), "pending")
    finally:
        writer.close()
        for handle in files.values():
            handle.close()
    return outcome


def missing_ids(manifest: Manifest, index: Index) -> Iterator[str]:
    """Every custom_id whose batches all ended without a result for it."""
    parts = {p.name: p for p in manifest.parts}
    for row in index.rows():
        if row.file is None and finished(parts.get(row.latest)):
            yield row.custom_id


def finished(part: Part | None) -> bool:
    """A request's last part is over (an unknown part: a retry whose save was lost)."""
    return part is None or (part.terminal and part.collected)
