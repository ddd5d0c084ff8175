"""A corpus of malformed batch files (issue 19), generated here, each with the error
the batch shows: its code and the line it names. The validator is the one the server
runs when a batch is created and `batchyard validate` runs locally.
"""

from __future__ import annotations

import gzip
import io
import zipfile

import orjson
import pytest

from batchyard.config import Limits
from batchyard.validation import ValidationReport, validate_batch_file

CHAT = "/v1/chat/completions"


def good(custom_id: str = "r", model: str = "m") -> bytes:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    return orjson.dumps({"custom_id": custom_id, "method": "POST", "url": CHAT, "body": body})


def with_(custom_id: str, **fields: object) -> bytes:
    line = orjson.loads(good(custom_id))
    line.update(fields)
    return orjson.dumps(line)


def lines(*rows: bytes, end: bytes = b"\n") -> bytes:
    return b"".join(row + end for row in rows)


def zip_of(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("requests.jsonl", data)
    return buffer.getvalue()


NESTED = b'{"custom_id": "deep", "body": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
LONG_ID = "i" * 10_000
GZIP = gzip.compress(lines(good("a"), good("b")), mtime=0)
ZIP = zip_of(lines(good("a"), good("b")))

# name: (file, the errors as (code, line), or [] when the file is valid)
CORPUS: dict[str, tuple[bytes, list[tuple[str, int | None]]]] = {
    "invalid utf-8": (lines(good("a"), b'{"custom_id": "\xff\xfe"}'), [("invalid_json_line", 2)]),
    "bom": (b"\xef\xbb\xbf" + lines(good("a"), good("b")), [("invalid_json_line", 1)]),
    "crlf": (lines(good("a"), good("b"), end=b"\r\n"), []),
    "10 MB line": (lines(good("a"), b"{" + b"x" * 10_000_000), [("invalid_json_line", 2)]),
    "nested 10,000 deep": (lines(good("a"), NESTED), [("invalid_json_line", 2)]),
    "NaN": (lines(good("a"), good("b").replace(b'"hi"', b"NaN")), [("invalid_json_line", 2)]),
    "Infinity": (lines(good("b").replace(b'"hi"', b"Infinity")), [("invalid_json_line", 1)]),
    # orjson keeps the last of duplicate keys, as Python's json does: that value is checked
    "duplicate keys": (lines(good("a")[:-1] + b',"method":"GET"}'), [("invalid_method", 1)]),
    "10,000-character custom_id": (lines(good(LONG_ID), good("b")), []),
    "10,000-character duplicate": (
        lines(good(LONG_ID), good(LONG_ID)),
        [("duplicate_custom_id", 2)],
    ),
    "unicode custom_ids": (
        lines(good("é"), good("e\u0301"), good("😀"), good("é")),
        [("duplicate_custom_id", 4)],
    ),
    "null body": (lines(good("a"), with_("b", body=None)), [("missing_required_parameter", 2)]),
    "body a list": (lines(with_("a", body=[1])), [("invalid_type", 1)]),
    "GET line": (lines(good("a"), with_("b", method="GET")), [("invalid_method", 2)]),
    "wrong url": (lines(with_("a", url="/v1/embeddings")), [("invalid_url", 1)]),
    "mixed models": (lines(good("a"), good("b", model="other")), [("mismatched_model", 2)]),
    "blank lines": (lines(good("a"), b"", b"  \t", b"nope"), [("invalid_json_line", 4)]),
    "trailing garbage": (lines(good("a"), good("b") + b" xyz"), [("invalid_json_line", 2)]),
    "gzip bytes": (GZIP, [("invalid_json_line", 1)]),
    "zip bytes": (ZIP, [("invalid_json_line", 1)]),
    "UTF-16 with a BOM": (
        lines(good("a"), good("b")).decode().encode("utf-16"),
        [("invalid_json_line", 1)],
    ),
    "UTF-16 without a BOM": (
        lines(good("a"), good("b")).decode().encode("utf-16-le"),
        [("invalid_json_line", 1)],
    ),
    "over the byte cap": (lines(*(good(f"r{i}") for i in range(100))), [("file_too_large", None)]),
    "over the request cap": (
        lines(*(good(f"r{i}") for i in range(11))),
        [("too_many_requests", 11)],
    ),
    "empty": (b"\n\n", [("empty_file", None)]),
}
LIMITS = Limits(max_batch_file_bytes=20_000_000, max_requests_per_batch=10)
SMALL_FILES = Limits(max_batch_file_bytes=4000, max_requests_per_batch=1000)


def check(data: bytes, limits: Limits = LIMITS) -> ValidationReport:
    return validate_batch_file(lambda: io.BytesIO(data), endpoint=CHAT, limits=limits, models=None)


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_bad_file_gets_its_error_and_line(name: str) -> None:
    data, expected = CORPUS[name]
    report = check(data, SMALL_FILES if name == "over the byte cap" else LIMITS)
    assert [(e.code, e.line) for e in report.errors] == expected, report.errors
    assert report.omitted_errors == 0
    for error in report.errors:
        assert error.message and len(error.message) < 300


def test_the_corpus_covers_every_issue_case() -> None:
    assert len(CORPUS) >= 20


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("gzip bytes", "gzip-compressed"),
        ("zip bytes", "zip archive"),
        ("UTF-16 with a BOM", "UTF-16"),
        ("UTF-16 without a BOM", "UTF-16"),
    ],
)
def test_a_file_that_is_not_utf8_jsonl_is_named_for_what_it_is(name: str, named: str) -> None:
    (error,) = check(CORPUS[name][0]).errors
    assert named in error.message and "UTF-8 JSONL" in error.message
