"""Send the lines that did not succeed again, as new parts of the same job.

After `collect` has indexed every finished batch, a line needs another try if
its last batch ended without a success for it: an error line (a 4xx/5xx from
the model, `batch_expired`, `batch_cancelled`) or no line at all (a batch that
failed validation or was refused). `codes` narrows the errors retried; missing
lines are always retried unless `missing=False`. The request lines are copied
byte for byte from the original parts, and the new parts join the manifest as
round n, so collect merges them with the rest. Where the server offers
`POST /v1/batches/{id}/retry`, a part whose error lines are all due goes again
on the server instead (`server_retry`), and only the rest is written here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from batchyard.client.collect import finished
from batchyard.client.index import Index
from batchyard.client.manifest import Manifest, Part
from batchyard.client.server_retry import NotOffered, localize, server_part
from batchyard.client.server_retry import plan as server_plan
from batchyard.client.split import plan
from batchyard.client.submit import Submitter


def retryable(
    manifest: Manifest, index: Index, codes: set[str] | None, missing: bool = True
) -> Iterator[str]:
    parts = {p.name: p for p in manifest.parts}
    for row in index.rows():
        if row.ok or not finished(parts.get(row.latest)):
            continue
        if row.file is None:
            if missing:
                yield row.custom_id
        elif codes is None or (row.code or "") in codes:
            yield row.custom_id


def add_round_on_server(
    manifest: Manifest, index: Index, custom_ids: list[str], submitter: Submitter
) -> list[Part]:
    """One round: the server retries what it can (its batches created now), the rest here.

    A server without the route, or one that refuses a part, turns the part into
    a client-side one; the caller's `follow` then uploads it like the others.
    """
    whole, rest = server_plan(manifest, index, custom_ids)
    parts = add_round(manifest, index, rest)
    if not whole:
        return parts
    number = manifest.rounds if parts else manifest.rounds + 1
    remote = [
        server_part(f"retry{number}-{len(parts) + i:04d}", number, source, members)
        for i, (source, members) in enumerate(whole, start=1)
    ]
    for part, (_, members) in zip(remote, whole, strict=True):
        index.set_latest(part.name, members)
    manifest.parts.extend(remote)
    manifest.rounds = number
    manifest.save()
    offered = True
    submitter.raise_not_offered = True
    try:
        for part in remote:
            room = sum(p.in_flight for p in manifest.parts) < manifest.max_in_flight
            if offered and not room:
                continue  # `follow` creates it once a slot is free
            if offered:
                try:
                    submitter.start(part)
                    continue
                except NotOffered as exc:
                    offered = not exc.route_missing
                    submitter.on_event(f"{part.name}: {exc.why}; its lines are sent from here")
            localize(manifest, index, part)
    finally:
        submitter.raise_not_offered = False
    return parts + remote


def add_round(manifest: Manifest, index: Index, custom_ids: list[str]) -> list[Part]:
    """Write the retry parts of `custom_ids` and record them in the manifest (not started)."""
    if not custom_ids:
        return []
    number = manifest.rounds + 1
    size = 0
    for request in index.requests_of(custom_ids):
        size += request.length
    per_part = plan(len(custom_ids), size, manifest.max_requests, manifest.max_bytes)
    parts: list[Part] = []
    out: IO[bytes] | None = None
    sources: dict[str, IO[bytes]] = {}
    members: list[tuple[str, str]] = []  # (part name, custom_id)
    by_name = {p.name: p for p in manifest.parts}
    wanted = set(custom_ids)
    failed_before = {r.custom_id for r in index.rows() if r.custom_id in wanted and r.file}
    model = ""
    try:
        for request in index.requests_of(custom_ids):
            if (
                not parts
                or parts[-1].requests == per_part
                or parts[-1].bytes + request.length > manifest.max_bytes
                or request.model != model  # a batch holds one model
            ):
                model = request.model
                if out is not None:
                    out.close()
                name = f"retry{number}-{len(parts) + 1:04d}"
                parts.append(
                    Part(
                        name=name,
                        path=f"parts/{name}.jsonl",
                        requests=0,
                        bytes=0,
                        round=number,
                        upload_name=f"{manifest.job}-{name}.jsonl",
                    )
                )
                out = open(manifest.work_dir / parts[-1].path, "wb")  # noqa: SIM115
            source = sources.get(request.part)
            if source is None:
                original = manifest.part_path(by_name[request.part])
                source = sources[request.part] = open(original, "rb")  # noqa: SIM115
            source.seek(request.offset)
            assert out is not None
            out.write(source.read(request.length))
            parts[-1].requests += 1
            parts[-1].bytes += request.length
            parts[-1].retried_failures += request.custom_id in failed_before
            members.append((parts[-1].name, request.custom_id))
    finally:
        if out is not None:
            out.close()
        for source in sources.values():
            source.close()
    # The index first: should the manifest save be lost, the lines point at an
    # unknown part, which counts as finished, so the next retry picks them up again.
    for part in parts:
        index.set_latest(part.name, (c for p, c in members if p == part.name))
    manifest.parts.extend(parts)
    manifest.rounds = number
    manifest.save()
    return parts
