"""The job's on-disk index (SQLite): where each request is, and its best result so far.

Collect and retry must join 100,000s of results to their requests, in input
order, without holding either in memory. The index keeps, per custom_id, its
input position, where its request line lives (part file, offset, length), the
part it was last sent in, and where its best result line lives in a
downloaded result file. Bodies stay in the files; the index holds only offsets.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    pos INTEGER PRIMARY KEY,         -- 0-based position across all inputs
    custom_id TEXT NOT NULL UNIQUE,
    source INTEGER NOT NULL,         -- index into manifest.inputs
    line INTEGER NOT NULL,           -- 1-based line in that input
    part TEXT NOT NULL,              -- the part file holding the request line
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    model TEXT NOT NULL,             -- body.model: a batch may hold only one
    latest TEXT NOT NULL             -- the part it was last sent in
);
CREATE TABLE IF NOT EXISTS results (
    custom_id TEXT PRIMARY KEY,
    ok INTEGER NOT NULL,             -- 1: a 2xx response
    seq INTEGER NOT NULL,            -- the part's position in the manifest (later wins)
    file TEXT NOT NULL,              -- result file, relative to the work folder
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    code TEXT,                       -- error code, or the HTTP status as text
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS indexed (file TEXT PRIMARY KEY);
"""

# A success replaces anything; an error replaces only an older error.
_UPSERT = """
INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(custom_id) DO UPDATE SET
    ok = excluded.ok, seq = excluded.seq, file = excluded.file, offset = excluded.offset,
    length = excluded.length, code = excluded.code, input_tokens = excluded.input_tokens,
    output_tokens = excluded.output_tokens
WHERE results.ok = 0 AND (excluded.ok = 1 OR excluded.seq >= results.seq)
"""


class DuplicateIdError(Exception):
    def __init__(self, custom_id: str, first: tuple[int, int], again: tuple[int, int]) -> None:
        super().__init__(custom_id)
        self.custom_id, self.first, self.again = custom_id, first, again


@dataclass(slots=True)
class Request:
    pos: int
    custom_id: str
    source: int
    line: int
    part: str
    offset: int
    length: int
    model: str


@dataclass(slots=True)
class Row:
    """One request in input order, with its best result (file is None: no result)."""

    pos: int
    custom_id: str
    latest: str
    ok: bool
    file: str | None
    offset: int
    length: int
    code: str | None


@dataclass(slots=True)
class ResultLine:
    custom_id: str
    ok: bool
    offset: int
    length: int
    code: str | None
    input_tokens: int
    output_tokens: int


class Index:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path)
        # The index can be rebuilt from the part and result files; speed over durability.
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset_requests(self) -> None:
        self.db.execute("DELETE FROM requests")

    def add_requests(self, rows: list[Request]) -> None:
        """Insert a batch of requests; a repeated custom_id raises `DuplicateIdError`."""
        values = [
            (r.pos, r.custom_id, r.source, r.line, r.part, r.offset, r.length, r.model, r.part)
            for r in rows
        ]
        insert = "INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        try:
            with self.db:
                self.db.executemany(insert, values)
            return
        except sqlite3.IntegrityError:
            pass  # rolled back; now one by one, to name the repeat and its first use
        for row, value in zip(rows, values, strict=True):
            found = self.db.execute(
                "SELECT source, line FROM requests WHERE custom_id = ?", (row.custom_id,)
            ).fetchone()
            if found is not None:
                raise DuplicateIdError(row.custom_id, (found[0], found[1]), (row.source, row.line))
            with self.db:
                self.db.execute(insert, value)

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM requests").fetchone()[0])

    def is_indexed(self, file: str) -> bool:
        found = self.db.execute("SELECT 1 FROM indexed WHERE file = ?", (file,)).fetchone()
        return found is not None

    def add_results(self, file: str, seq: int, lines: Iterable[ResultLine]) -> None:
        """Index one downloaded result file, once, in one transaction."""
        with self.db:
            self.db.executemany(
                _UPSERT,
                (
                    (r.custom_id, int(r.ok), seq, file, r.offset, r.length, r.code,
                     r.input_tokens, r.output_tokens)
                    for r in lines
                ),
            )  # fmt: skip
            self.db.execute("INSERT OR IGNORE INTO indexed VALUES (?)", (file,))

    def rows(self) -> Iterator[Row]:
        """Every request in input order with its best result; streams from SQLite."""
        cursor = self.db.execute(
            "SELECT q.pos, q.custom_id, q.latest, r.ok, r.file, r.offset, r.length, r.code "
            "FROM requests q LEFT JOIN results r ON r.custom_id = q.custom_id ORDER BY q.pos"
        )
        for pos, custom_id, latest, ok, file, offset, length, code in cursor:
            yield Row(pos, custom_id, latest, bool(ok), file, offset or 0, length or 0, code)

    def requests_of(self, custom_ids: Iterable[str]) -> Iterator[Request]:
        """The requests named, by model, then in input order (ids go through a temp table)."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS pick (custom_id TEXT PRIMARY KEY)")
        with self.db:
            self.db.execute("DELETE FROM pick")
            self.db.executemany("INSERT OR IGNORE INTO pick VALUES (?)", ((c,) for c in custom_ids))
        cursor = self.db.execute(
            "SELECT q.pos, q.custom_id, q.source, q.line, q.part, q.offset, q.length, q.model "
            "FROM requests q JOIN pick USING (custom_id) ORDER BY q.model, q.pos"
        )
        for row in cursor:
            yield Request(*row)

    def set_latest(self, part: str, custom_ids: Iterable[str]) -> None:
        with self.db:
            self.db.executemany(
                "UPDATE requests SET latest = ? WHERE custom_id = ?",
                ((part, c) for c in custom_ids),
            )

    def tokens(self) -> tuple[int, int]:
        """Input and output tokens summed over the best results."""
        found = self.db.execute(
            "SELECT coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0) FROM results"
        ).fetchone()
        return int(found[0]), int(found[1])
