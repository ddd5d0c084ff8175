"""Per-shard result journals: how a finished line survives any crash.

Every finished line is appended to the journal of the shard it belongs to, one
record per line, and the journal is fsynced at each checkpoint (well under a
second apart). Each claim of a shard writes its own segment
(`journals/<batch>/<shard>.<epoch>`), so a worker that lost its lease can never
interleave bytes with the one that took over. Readers take the union of all
segments, first record per line wins, and drop a torn last record.

A record is one line: six space-separated integers, then the output line's JSON:
`<line> <ok> <input_tokens> <output_tokens> <cached_tokens> <reasoning_tokens> <json>`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from batchyard.blobs import BlobStore, Journal, keys
from batchyard.records import ShardProgress, ShardRecord, Usage


def segment_key(shard: ShardRecord) -> str:
    return keys.segment_key(shard.batch_id, shard.index, shard.epoch)


def encode(line: int, ok: bool, usage: Usage, payload: bytes) -> bytes:
    return b"%d %d %d %d %d %d %b\n" % (
        line,
        ok,
        usage.input_tokens,
        usage.output_tokens,
        usage.cached_tokens,
        usage.reasoning_tokens,
        payload,
    )


@dataclass(slots=True)
class Entry:
    line: int
    ok: bool
    usage: Usage
    payload: bytes


def _segments(blobs: BlobStore, shard: ShardRecord) -> list[str]:
    prefix = f"{shard.index:06d}."
    return [
        key
        for key in blobs.keys(keys.journal_folder(shard.batch_id))
        if key.rsplit("/", 1)[1].startswith(prefix)
    ]


def entries(blobs: BlobStore, shard: ShardRecord) -> Iterator[Entry]:
    """Every line's first durable record across the shard's segments, oldest segment first."""
    seen: set[int] = set()
    for key in _segments(blobs, shard):
        with blobs.reader(key) as fh:
            for raw in fh:
                if not raw.endswith(b"\n"):
                    break  # torn write at a crash: the line will be run again
                parts = raw.split(b" ", 6)
                line = int(parts[0])
                if line in seen:
                    continue
                seen.add(line)
                yield Entry(
                    line=line,
                    ok=parts[1] == b"1",
                    usage=Usage(int(parts[2]), int(parts[3]), int(parts[4]), int(parts[5])),
                    payload=parts[6][:-1],
                )


def recover(blobs: BlobStore, shard: ShardRecord) -> tuple[set[int], ShardProgress]:
    """The lines of a shard that already have a durable result, and their totals."""
    done: set[int] = set()
    progress = ShardProgress()
    for entry in entries(blobs, shard):
        done.add(entry.line)
        if entry.ok:
            progress.completed += 1
        else:
            progress.failed += 1
        progress.usage.add(entry.usage)
    return done, progress


def open_segment(blobs: BlobStore, shard: ShardRecord) -> Journal:
    return blobs.appender(segment_key(shard))


def durable_results(blobs: BlobStore, shards: list[ShardRecord]) -> Iterator[bytes]:
    """Every output or error line made durable so far, shard by shard.

    Finalizing deletes the journals once the result files exist; a segment that
    vanishes mid-read ends the stream early rather than failing it.
    """
    try:
        for shard in shards:
            for entry in entries(blobs, shard):
                yield entry.payload + b"\n"
    except FileNotFoundError:
        return
