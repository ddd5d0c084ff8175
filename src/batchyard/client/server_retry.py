"""Retry on the server: `POST /v1/batches/{id}/retry`, where the server offers it.

A part whose every error line is due for a retry (and whose error file is all the
retry wants: no `--codes` narrowing, no line of it already sent again) is retried
by the server itself: it copies the lines from the input file it already holds, so
nothing is uploaded. The new part has no local file; it names the batch it
retries in `retry_of`, and its batch carries the job and part tags like any
other, so a resume finds it. A server without the route (OpenAI answers 404 or
405) or one that cannot retry this batch (400 `nothing_to_retry`, 409
`input_file_gone`) is `NotOffered`: the part is then written here from the
index and uploaded as a client-side retry, which stays the fallback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from batchyard.client.index import Index
from batchyard.client.manifest import Manifest, Part

if TYPE_CHECKING:
    import openai

# 404/405: no such route (OpenAI, other servers); 400/409: this batch cannot be retried there.
_NOT_OFFERED = frozenset({400, 404, 405, 409})


class NotOffered(Exception):
    """The server does not retry this batch; the part goes client-side."""

    def __init__(self, why: str, route_missing: bool) -> None:
        super().__init__(why)
        self.why = why
        self.route_missing = route_missing


def plan(
    manifest: Manifest, index: Index, custom_ids: list[str]
) -> tuple[list[tuple[Part, list[str]]], list[str]]:
    """Split `custom_ids` into (part retried whole on the server, its lines) and the rest."""
    wanted = set(custom_ids)
    by_part: dict[str, list[str]] = {}
    for row in index.rows():
        if row.custom_id in wanted and row.file is not None:
            by_part.setdefault(row.latest, []).append(row.custom_id)
    whole: list[tuple[Part, list[str]]] = []
    taken: set[str] = set()
    for part in manifest.parts:
        members = by_part.get(part.name)
        if not members or not part.batch_id or not part.error_file_id:
            continue
        errors = manifest.work_dir / "results" / f"{part.name}.error.jsonl"
        if _custom_ids(errors) == set(members):
            whole.append((part, members))
            taken.update(members)
    return whole, [c for c in custom_ids if c not in taken]


def _custom_ids(path: Path) -> set[str] | None:
    """The custom_ids of a downloaded error file; None when it is not here."""
    try:
        with open(path, "rb") as file:
            return {str(orjson.loads(line)["custom_id"]) for line in file if line.strip()}
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
        return None


def server_part(name: str, number: int, source: Part, members: list[str]) -> Part:
    """The part of a server-side retry of `source`: nothing to upload, its batch to create."""
    return Part(
        name=name,
        path="",
        requests=len(members),
        bytes=0,
        round=number,
        retried_failures=len(members),
        state="uploaded",
        upload_name="",
        retry_of=source.batch_id,
    )


def post_retry(client: openai.OpenAI, batch_id: str, tags: dict[str, str]) -> Any:
    """The new Batch, or NotOffered; 408, 429 and 5xx are raised as the SDK raises them."""
    import openai
    from openai.types import Batch

    try:
        return client.post(f"/batches/{batch_id}/retry", body={"metadata": tags}, cast_to=Batch)
    except openai.APIStatusError as exc:
        if exc.status_code not in _NOT_OFFERED:
            raise
        missing = exc.status_code in (404, 405)
        why = "the server has no retry route" if missing else f"{exc.status_code}: {exc.message}"
        raise NotOffered(why, route_missing=missing) from None


def localize(manifest: Manifest, index: Index, part: Part) -> None:
    """Turn a server-side part into a client-side one: write its lines here, to upload."""
    members = [row.custom_id for row in index.rows() if row.latest == part.name]
    part.path = f"parts/{part.name}.jsonl"
    part.upload_name = f"{manifest.job}-{part.name}.jsonl"
    part.bytes, part.requests = 0, 0
    sources: dict[str, Any] = {}
    by_name = {p.name: p for p in manifest.parts}
    try:
        with open(manifest.work_dir / part.path, "wb") as out:
            for request in index.requests_of(members):
                source = sources.get(request.part)
                if source is None:
                    original = manifest.part_path(by_name[request.part])
                    source = sources[request.part] = open(original, "rb")  # noqa: SIM115
                source.seek(request.offset)
                out.write(source.read(request.length))
                part.bytes += request.length
                part.requests += 1
    finally:
        for source in sources.values():
            source.close()
    part.retry_of, part.state, part.started_at = None, "pending", None
    manifest.save()
