"""Cut request files into parts that fit a Batch API's limits, ids unique across all.

Results are merged by custom_id, so an id used twice anywhere in the job would
make one answer overwrite another: every id goes into the job's index, which
refuses a repeat and names both lines. Parts are balanced (120,000 lines at
50,000 per batch give 3 x 40,000, not 50/50/20) so they finish together, no
part passes `max_bytes`, and a part holds one model (a batch may hold only
one), so a change of model starts a new part. Lines are copied byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from batchyard.client.errors import ToolkitError
from batchyard.client.index import DuplicateIdError, Index, Request

_READ = 1024 * 1024
_INSERT_BATCH = 5000


class SplitError(ToolkitError):
    """A line that cannot go into any part; the message names the file and line."""


@dataclass
class PartFile:
    name: str
    path: Path
    requests: int
    bytes: int


def request_lines(file: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line without its newline) of each non-blank line."""
    for number, raw in enumerate(file, start=1):
        line = raw.rstrip(b"\r\n")
        if line.strip():
            yield number, line


def _count(path: Path) -> tuple[int, int]:
    """Lines and bytes, roughly (blank lines count): enough to balance the parts."""
    lines = size = 0
    last = b"\n"
    with open(path, "rb") as file:
        while chunk := file.read(_READ):
            lines += chunk.count(b"\n")
            size += len(chunk)
            last = chunk[-1:]
    return lines + (last != b"\n"), size


def plan(requests: int, size: int, max_requests: int, max_bytes: int) -> int:
    """Requests per part: as even as the limits allow."""
    if max_requests < 1 or max_bytes < 1:
        raise ValueError("limits must be at least 1")
    parts = max(1, math.ceil(requests / max_requests), math.ceil(size / max_bytes))
    return max(1, math.ceil(requests / parts))


def split_files(
    inputs: list[Path],
    out_dir: Path,
    *,
    max_requests: int,
    max_bytes: int,
    index: Index,
    name: Callable[[int], str],
) -> list[PartFile]:
    """Write parts of `inputs` into `out_dir` as `name(n).jsonl`, n from 1.

    Every request also goes into `index` (position, custom_id, part, offset).
    Raises `SplitError` for a line that is not a JSON object with a string
    custom_id, a line larger than `max_bytes`, or a repeated custom_id.
    """
    counted = [_count(path) for path in inputs]
    per_part = plan(sum(c[0] for c in counted), sum(c[1] for c in counted), max_requests, max_bytes)
    out_dir.mkdir(parents=True, exist_ok=True)
    parts: list[PartFile] = []
    out: BinaryIO | None = None
    current: PartFile | None = None
    pending: list[Request] = []
    part_model = ""
    pos = 0

    def flush() -> None:
        try:
            index.add_requests(pending)
        except DuplicateIdError as exc:
            raise SplitError(
                f"{inputs[exc.again[0]]}:{exc.again[1]}: custom_id {exc.custom_id!r} is already "
                f"used at {inputs[exc.first[0]]}:{exc.first[1]}; results are matched by "
                "custom_id, so each must be unique across all input files"
            ) from None
        pending.clear()

    try:
        for source, path in enumerate(inputs):
            with open(path, "rb") as file:
                for line_no, line in request_lines(file):
                    custom_id, model = _identify(line, path, line_no)
                    size = len(line) + 1
                    if size > max_bytes:
                        raise SplitError(
                            f"{path}:{line_no}: this request alone is {size:,} bytes, over the "
                            f"{max_bytes:,}-byte limit of a batch file"
                        )
                    if (
                        current is None
                        or current.requests == per_part
                        or current.bytes + size > max_bytes
                        or model != part_model
                    ):
                        part_model = model
                        if out is not None:
                            out.close()
                        current = PartFile(name(len(parts) + 1), Path(), 0, 0)
                        current.path = out_dir / f"{current.name}.jsonl"
                        parts.append(current)
                        out = open(current.path, "wb")  # noqa: SIM115 - closed when the part ends
                    assert out is not None
                    out.write(line + b"\n")
                    pending.append(
                        Request(
                            pos,
                            custom_id,
                            source,
                            line_no,
                            current.name,
                            current.bytes,
                            size,
                            model,
                        )
                    )
                    current.requests += 1
                    current.bytes += size
                    pos += 1
                    if len(pending) >= _INSERT_BATCH:
                        flush()
        flush()
    except BaseException:
        if out is not None:
            out.close()
            out = None
        for part in parts:  # no half-made parts left behind
            part.path.unlink(missing_ok=True)
        raise
    finally:
        if out is not None:
            out.close()
    return parts


def _identify(line: bytes, path: Path, line_no: int) -> tuple[str, str]:
    """The line's custom_id and body.model ("" if none: the validator reports that)."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise SplitError(f"{path}:{line_no}: this line is not valid JSON") from None
    custom_id = obj.get("custom_id") if isinstance(obj, dict) else None
    if not isinstance(custom_id, str) or not custom_id:
        raise SplitError(f"{path}:{line_no}: the line has no custom_id (a non-empty string)")
    body = obj.get("body")
    model = body.get("model") if isinstance(body, dict) else None
    return custom_id, model if isinstance(model, str) else ""
