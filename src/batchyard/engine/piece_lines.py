"""A piece shard's lines, without holding their bytes.

A runner may wait hours for room under the enqueued-token limit, and a process
runs many; holding each shard's request lines would make memory grow with the
batch. Per line it keeps only its size, its token estimate and whether it is
still open (no result journaled): about 17 bytes. The bytes are read again from
the input blob when a piece file is written, results are mapped back, or the
fallback model takes the stragglers.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import orjson

from batchyard.backends import Request
from batchyard.backends.pacing.tokens import TokenEstimator
from batchyard.blobs import BlobStore
from batchyard.engine.lines import Line, shard_lines
from batchyard.records import ShardRecord


class ShardLines:
    def __init__(self, blobs: BlobStore, key: str, shard: ShardRecord, endpoint: str) -> None:
        self.blobs, self.key, self.shard, self.endpoint = blobs, key, shard, endpoint
        count = shard.last_line - shard.first_line + 1
        self._size = array("q", bytes(8 * count))
        self._tokens = array("q", bytes(8 * count))
        self._open = bytearray(count)
        self.left = 0  # lines still open

    def load(self, estimator: TokenEstimator, done: set[int]) -> None:
        """Read the shard once: sizes and estimates; lines in `done` are closed already."""
        first = self.shard.first_line
        for number, raw in shard_lines(self.blobs, self.key, self.shard):
            i = number - first
            self._size[i] = len(raw) + 1
            self._tokens[i] = estimator.estimate(self.endpoint, orjson.loads(raw)["body"]).total
            if number not in done:
                self._open[i] = 1
                self.left += 1

    def is_open(self, number: int) -> bool:
        i = number - self.shard.first_line
        return 0 <= i < len(self._open) and bool(self._open[i])

    def close(self, number: int) -> bool:
        """Mark a line's result journaled; False if it was not open."""
        if not self.is_open(number):
            return False
        self._open[number - self.shard.first_line] = 0
        self.left -= 1
        return True

    def open_numbers(self) -> list[int]:
        first = self.shard.first_line
        return [first + i for i, flag in enumerate(self._open) if flag]

    def size(self, number: int) -> int:
        return self._size[number - self.shard.first_line]

    def tokens(self, number: int) -> int:
        return self._tokens[number - self.shard.first_line]

    def raw(self, numbers: set[int]) -> Iterator[tuple[int, bytes]]:
        """The request lines of `numbers`, streamed from the input blob in file order."""
        for number, raw in shard_lines(self.blobs, self.key, self.shard):
            if number in numbers:
                yield number, raw

    def custom_ids(self, numbers: set[int]) -> dict[str, int]:
        """custom_id -> line number, for mapping a piece's results back."""
        return {orjson.loads(raw)["custom_id"]: number for number, raw in self.raw(numbers)}

    def requests(self, numbers: set[int]) -> list[Line]:
        lines: list[Line] = []
        for number, raw in self.raw(numbers):
            item = orjson.loads(raw)
            lines.append((number, Request(self.endpoint, item["body"], item["custom_id"])))
        return lines
