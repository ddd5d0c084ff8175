"""The batch input checker: every rule, line numbering, limits, duplicates and shards."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from batchyard import validation
from batchyard.config import Limits
from batchyard.validation import (
    LineError,
    LineSpan,
    ValidationReport,
    validate_batch_file,
    validate_path,
)

CHAT = "/v1/chat/completions"
MODELS = frozenset({"m", "other"})
NOT_JSON = "This line is not parseable as valid JSON."


def req(custom_id: Any = "r1", **body: Any) -> dict[str, Any]:
    """A valid chat line; `body` entries override (None removes one)."""
    full: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    full.update(body)
    return {
        "custom_id": custom_id,
        "method": "POST",
        "url": CHAT,
        "body": {k: v for k, v in full.items() if v is not None},
    }


def jsonl(*lines: dict[str, Any] | bytes) -> bytes:
    return b"".join((x if isinstance(x, bytes) else orjson.dumps(x)) + b"\n" for x in lines)


def check(
    data: bytes,
    *,
    endpoint: str = CHAT,
    limits: Limits | None = None,
    models: frozenset[str] | None = MODELS,
    shard_lines: int = 1000,
    opens: list[int] | None = None,
) -> ValidationReport:
    def open_file() -> io.BytesIO:
        if opens is not None:
            opens.append(1)
        return io.BytesIO(data)

    return validate_batch_file(
        open_file,
        endpoint=endpoint,
        limits=limits or Limits(),
        models=models,
        shard_lines=shard_lines,
    )


def codes(report: ValidationReport) -> list[tuple[str, str | None, int | None]]:
    return [(e.code, e.param, e.line) for e in report.errors]


def test_valid_file() -> None:
    data = jsonl(req("a"), req("b"), req("c"))
    report = check(data)
    assert report.ok
    assert report.errors == [] and report.omitted_errors == 0
    assert report.requests == 3
    assert report.bytes == len(data)
    assert report.model == "m"
    assert report.shards == [LineSpan(1, 3, 0, len(data), 3)]


def test_line_error_to_dict() -> None:
    error = LineError("invalid_url", "msg", "url", 4)
    assert error.to_dict() == {"code": "invalid_url", "message": "msg", "param": "url", "line": 4}


@pytest.mark.parametrize("bad", [b"not json", b'{"custom_id": "x",', b"{'a': 1}", b"{}}"])
def test_unparseable_line(bad: bytes) -> None:
    report = check(jsonl(req("a"), bad, req("c")))
    assert [e.to_dict() for e in report.errors] == [
        {"code": "invalid_json_line", "message": NOT_JSON, "param": None, "line": 2}
    ]


@pytest.mark.parametrize("bad", [b"[1, 2]", b'"text"', b"5", b"null", b"true"])
def test_json_that_is_not_an_object(bad: bytes) -> None:
    report = check(jsonl(bad, req("b")))
    assert codes(report) == [("invalid_json_line", None, 1)]
    assert report.errors[0].message == "This line is not a JSON object."


def test_bom_is_reported_on_line_one_and_the_rest_is_checked() -> None:
    data = b"\xef\xbb\xbf" + jsonl(req("a"), b"oops", req("c", model="nope"))
    report = check(data)
    assert codes(report) == [
        ("invalid_json_line", None, 1),
        ("invalid_json_line", None, 2),
        ("model_not_found", "body.model", 3),
    ]
    message = report.errors[0].message
    assert "UTF-8 byte order mark (BOM)" in message
    assert "UTF-8 without BOM" in message


def test_bom_later_in_the_file_is_just_bad_json() -> None:
    report = check(jsonl(req("a"), b"\xef\xbb\xbf" + orjson.dumps(req("b"))))
    assert report.errors[0].message == NOT_JSON
    assert report.errors[0].line == 2


def test_invalid_utf8() -> None:
    line = orjson.dumps(req("a")).replace(b'"hi"', b'"h\xff"')
    report = check(jsonl(req("x"), line))
    assert codes(report) == [("invalid_json_line", None, 2)]
    assert "UTF-8" in report.errors[0].message


def test_missing_fields_one_per_line() -> None:
    lines = []
    for field in ("custom_id", "method", "url", "body"):
        line = req(f"id-{field}")
        del line[field]
        lines.append(line)
    report = check(jsonl(*lines))
    assert [e.to_dict() for e in report.errors] == [
        {
            "code": "missing_required_parameter",
            "message": f"Missing required parameter: '{field}'.",
            "param": field,
            "line": n,
        }
        for n, field in enumerate(("custom_id", "method", "url", "body"), start=1)
    ]


def test_all_missing_fields_on_one_line() -> None:
    report = check(jsonl(req("a"), {}, {"custom_id": None}))
    fields = ["custom_id", "method", "url", "body"]
    assert codes(report) == [("missing_required_parameter", f, 2) for f in fields] + [
        ("missing_required_parameter", f, 3) for f in fields
    ]


@pytest.mark.parametrize(
    ("custom_id", "got"),
    [(5, "an integer"), ("", "an empty string"), (["a"], "an array"), (True, "a boolean")],
)
def test_custom_id_must_be_a_non_empty_string(custom_id: Any, got: str) -> None:
    report = check(jsonl(req(custom_id)))
    assert codes(report) == [("invalid_type", "custom_id", 1)]
    assert report.errors[0].message == (
        f"Invalid type for 'custom_id': expected a non-empty string, but got {got} instead."
    )


@pytest.mark.parametrize("body", ["text", [1], 3.5])
def test_body_must_be_an_object(body: Any) -> None:
    line = req("a")
    line["body"] = body
    report = check(jsonl(line))
    assert codes(report) == [("invalid_type", "body", 1)]
    assert report.errors[0].message.startswith("Invalid type for 'body': expected an object")


def test_model_must_be_a_string() -> None:
    report = check(jsonl(req("a", model=7)))
    assert codes(report) == [("invalid_type", "body.model", 1)]
    assert report.model is None


@pytest.mark.parametrize(("method", "shown"), [("GET", "GET"), ("post", "post"), (1, "1")])
def test_method_must_be_post(method: Any, shown: str) -> None:
    line = req("a")
    line["method"] = method
    report = check(jsonl(line))
    assert [e.to_dict() for e in report.errors] == [
        {
            "code": "invalid_method",
            "message": f"Only POST is supported; got '{shown}'.",
            "param": "method",
            "line": 1,
        }
    ]


@pytest.mark.parametrize("url", ["/v1/embeddings", "/v1/chat/completions/", "v1/chat/completions"])
def test_url_must_match_the_endpoint(url: str) -> None:
    line = req("a")
    line["url"] = url
    report = check(jsonl(req("z"), line))
    assert [e.to_dict() for e in report.errors] == [
        {
            "code": "invalid_url",
            "message": "The URL provided for this request does not match the batch endpoint.",
            "param": "url",
            "line": 2,
        }
    ]


def test_streaming_is_rejected() -> None:
    report = check(jsonl(req("a", stream=False), req("b", stream=True)))
    assert [e.to_dict() for e in report.errors] == [
        {
            "code": "streaming_unsupported",
            "message": "Streaming is not supported in the Batch API.",
            "param": "body.stream",
            "line": 2,
        }
    ]


def test_missing_model() -> None:
    report = check(jsonl(req("a", model=None)))
    assert [e.to_dict() for e in report.errors] == [
        {
            "code": "invalid_request",
            "message": "Model parameter is required.",
            "param": "body.model",
            "line": 1,
        }
    ]


def test_unknown_model() -> None:
    report = check(jsonl(req("a", model="gpt-9"), req("b", model="gpt-9")))
    assert codes(report) == [
        ("model_not_found", "body.model", 1),
        ("model_not_found", "body.model", 2),
    ]
    assert report.errors[0].message == (
        "The provided model 'gpt-9' is not supported by the Batch API. "
        "Models on this server: m, other."
    )
    assert report.model == "gpt-9"


def test_mismatched_model() -> None:
    report = check(jsonl(req("a", model=None), req("b"), req("c", model="other"), req("d")))
    assert codes(report) == [
        ("invalid_request", "body.model", 1),
        ("mismatched_model", "body.model", 3),
    ]
    assert report.errors[1].message == (
        "The model 'other' for this request does not match the rest of the batch. "
        "Each batch must contain requests for a single model."
    )
    assert report.model == "m"


def test_models_none_skips_the_existence_check_but_not_the_single_model_rule() -> None:
    report = check(jsonl(req("a", model="anything"), req("b", model="else")), models=None)
    assert codes(report) == [("mismatched_model", "body.model", 2)]
    assert report.model == "anything"


@pytest.mark.parametrize(
    ("endpoint", "field", "message"),
    [
        ("/v1/chat/completions", "messages", "Messages parameter is required."),
        ("/v1/embeddings", "input", "Input parameter is required."),
        ("/v1/moderations", "input", "Input parameter is required."),
        ("/v1/completions", "prompt", "Prompt parameter is required."),
    ],
)
def test_endpoint_required_body_field(endpoint: str, field: str, message: str) -> None:
    good = {"custom_id": "a", "method": "POST", "url": endpoint, "body": {"model": "m", field: "x"}}
    bad = {"custom_id": "b", "method": "POST", "url": endpoint, "body": {"model": "m"}}
    report = check(jsonl(good, bad), endpoint=endpoint)
    assert [e.to_dict() for e in report.errors] == [
        {"code": "invalid_request", "message": message, "param": f"body.{field}", "line": 2}
    ]


def test_endpoint_without_required_body_field() -> None:
    line = {"custom_id": "a", "method": "POST", "url": "/v1/responses", "body": {"model": "m"}}
    assert check(jsonl(line), endpoint="/v1/responses").ok


def test_valid_first_line_then_bad_second_line() -> None:
    report = check(jsonl(req("a"), {"custom_id": "b", "method": "POST", "url": CHAT}))
    assert codes(report) == [("missing_required_parameter", "body", 2)]


def test_all_errors_are_collected_in_line_order() -> None:
    bad_url = req("d")
    bad_url["url"] = "/v1/embeddings"
    data = jsonl(
        req("a"),
        b"nope",
        req("c", stream=True, messages=None),
        bad_url,
        req("a"),
        b"[]",
        {"custom_id": 3, "method": "PUT", "url": CHAT, "body": {"model": "x"}},
    )
    report = check(data)
    assert codes(report) == [
        ("invalid_json_line", None, 2),
        ("streaming_unsupported", "body.stream", 3),
        ("invalid_request", "body.messages", 3),
        ("invalid_url", "url", 4),
        ("duplicate_custom_id", "custom_id", 5),
        ("invalid_json_line", None, 6),
        ("invalid_type", "custom_id", 7),
        ("invalid_method", "method", 7),
        ("model_not_found", "body.model", 7),
        ("invalid_request", "body.messages", 7),
    ]
    assert not report.ok


@pytest.mark.parametrize("blank", [b"", b"   ", b"\t", b"\r", b" \t \r"])
def test_blank_lines_are_skipped_but_counted(blank: bytes) -> None:
    data = jsonl(blank, req("a"), blank, blank, b"junk", blank)
    report = check(data)
    assert codes(report) == [("invalid_json_line", None, 5)]
    assert report.requests == 2


def test_last_line_without_newline_and_crlf() -> None:
    data = orjson.dumps(req("a")) + b"\r\n" + orjson.dumps(req("b"))
    report = check(data)
    assert report.ok and report.requests == 2
    assert report.shards == [LineSpan(1, 2, 0, len(data), 2)]
    unterminated_bad = check(jsonl(req("a")) + b"{bad")
    assert codes(unterminated_bad) == [("invalid_json_line", None, 2)]


def test_duplicate_custom_id_on_every_later_line() -> None:
    opens: list[int] = []
    report = check(jsonl(req("a"), req("b"), req("a"), req("c"), req("a"), req("b")), opens=opens)
    assert codes(report) == [
        ("duplicate_custom_id", "custom_id", 3),
        ("duplicate_custom_id", "custom_id", 5),
        ("duplicate_custom_id", "custom_id", 6),
    ]
    assert report.errors[0].message == (
        "The custom_id 'a' for this request is a duplicate of another request. "
        "The custom_id parameter must be unique for each request in a batch."
    )
    assert len(opens) == 2


def test_no_duplicates_reads_the_file_once() -> None:
    opens: list[int] = []
    assert check(jsonl(*(req(f"id-{i}") for i in range(100))), opens=opens).ok
    assert len(opens) == 1


def test_lines_without_a_usable_custom_id_never_count_as_duplicates() -> None:
    report = check(jsonl(req(""), req(""), {"method": "POST"}, {"method": "POST"}, b"x", b"x"))
    assert "duplicate_custom_id" not in {e.code for e in report.errors}


def test_hash_collisions_are_confirmed_by_a_second_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "_hash_custom_id", lambda custom_id: 42)
    opens: list[int] = []
    report = check(jsonl(req("a"), req("b"), b"junk", req("c")), opens=opens)
    assert len(opens) == 2
    assert codes(report) == [("invalid_json_line", None, 3)]

    opens.clear()
    report = check(jsonl(req("a"), req("b"), b"junk", req("b"), req("a")), opens=opens)
    assert len(opens) == 2
    assert codes(report) == [
        ("invalid_json_line", None, 3),
        ("duplicate_custom_id", "custom_id", 4),
        ("duplicate_custom_id", "custom_id", 5),
    ]
    assert "'b'" in report.errors[1].message and "'a'" in report.errors[2].message


def test_hash_zero_is_not_mistaken_for_a_missing_custom_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(validation, "_hash_custom_id", lambda custom_id: 0)
    report = check(jsonl(req("a"), req("a")))
    assert codes(report) == [("duplicate_custom_id", "custom_id", 2)]


def test_duplicate_error_follows_the_other_errors_of_its_line() -> None:
    report = check(jsonl(req("a"), req("a", stream=True)))
    assert codes(report) == [
        ("streaming_unsupported", "body.stream", 2),
        ("duplicate_custom_id", "custom_id", 2),
    ]


@pytest.mark.parametrize("data", [b"", b"\n", b"  \n\t\n\r\n", b"\n\n  "])
def test_empty_file(data: bytes) -> None:
    report = check(data)
    assert [e.to_dict() for e in report.errors] == [
        {
            "code": "empty_file",
            "message": "The input file is empty. Please ensure that the batch contains at least "
            "one request.",
            "param": None,
            "line": None,
        }
    ]
    assert report.requests == 0 and report.shards == [] and report.model is None


def test_too_many_requests_stops_at_the_first_line_over() -> None:
    data = jsonl(req("a"), b"", req("b"), req("c"), b"  ", req("d"), b"junk", req("a"))
    report = check(data, limits=Limits(max_requests_per_batch=3))
    assert [e.to_dict() for e in report.errors] == [
        {
            "code": "too_many_requests",
            "message": "The batch has more than 3 requests; the limit is 3 per batch (a server's "
            "[limits] max_requests_per_batch; `batchyard split` cuts a file).",
            "param": None,
            "line": 6,
        }
    ]
    checked = len(jsonl(req("a"), b"", req("b"), req("c"), b"  "))
    assert report.requests == 3
    assert report.bytes == checked  # where line 6 starts
    assert report.shards == [LineSpan(1, 4, 0, len(jsonl(req("a"), b"", req("b"), req("c"))), 3)]


def test_duplicates_after_the_request_limit_are_not_reported() -> None:
    data = jsonl(req("a"), req("b"), req("a"), req("b"), req("a"))
    report = check(data, limits=Limits(max_requests_per_batch=3))
    assert codes(report) == [
        ("duplicate_custom_id", "custom_id", 3),
        ("too_many_requests", None, 4),
    ]


def test_exactly_the_request_limit_is_fine() -> None:
    report = check(jsonl(req("a"), req("b"), b""), limits=Limits(max_requests_per_batch=2))
    assert report.ok


def test_file_too_large_stops_reading() -> None:
    first = jsonl(req("a"), b"junk")
    data = first + jsonl(req("c"), b"more junk")
    limit = len(first) + 5  # part of line 3 fits; it is not checked
    report = check(data, limits=Limits(max_batch_file_bytes=limit))
    assert codes(report) == [("file_too_large", None, None), ("invalid_json_line", None, 2)]
    assert report.errors[0].message == (
        f"File is too large. The batch input file is larger than the {limit} byte maximum."
    )
    assert report.requests == 2
    assert report.bytes == limit
    assert report.shards == [LineSpan(1, 2, 0, len(first), 2)]


def test_file_of_exactly_the_byte_limit_is_fine() -> None:
    data = jsonl(req("a"), req("b"))
    assert check(data, limits=Limits(max_batch_file_bytes=len(data))).ok
    assert codes(check(data, limits=Limits(max_batch_file_bytes=len(data) - 1))) == [
        ("file_too_large", None, None)
    ]


def test_oversized_blank_file_is_too_large_not_empty() -> None:
    report = check(b"\n" * 100, limits=Limits(max_batch_file_bytes=10))
    assert codes(report) == [("file_too_large", None, None)]


def test_error_cap_counts_the_rest() -> None:
    data = jsonl(*(b"junk" for _ in range(7)))
    report = check(data, limits=Limits(max_validation_errors=3))
    assert [e.line for e in report.errors] == [1, 2, 3]
    assert report.omitted_errors == 4
    assert not report.ok


def test_error_cap_with_duplicates_keeps_the_first_by_line() -> None:
    data = jsonl(req("a"), req("a"), b"junk", req("a"), b"junk")
    report = check(data, limits=Limits(max_validation_errors=3))
    assert codes(report) == [
        ("duplicate_custom_id", "custom_id", 2),
        ("invalid_json_line", None, 3),
        ("duplicate_custom_id", "custom_id", 4),
    ]
    assert report.omitted_errors == 1


def test_error_cap_of_zero_still_fails() -> None:
    report = check(jsonl(b"junk"), limits=Limits(max_validation_errors=0))
    assert report.errors == [] and report.omitted_errors == 1 and not report.ok


def test_limit_errors_survive_the_error_cap() -> None:
    data = jsonl(*(b"junk" for _ in range(5)))
    limits = Limits(max_validation_errors=2, max_requests_per_batch=4)
    report = check(data, limits=limits)
    assert codes(report) == [("invalid_json_line", None, 1), ("too_many_requests", None, 5)]
    assert report.omitted_errors == 3


def test_shards_cover_request_lines_and_their_bytes() -> None:
    lines: list[bytes] = [b"", orjson.dumps(req("a")), orjson.dumps(req("b")), b"  "]
    lines += [orjson.dumps(req(f"r{i}")) for i in range(5)]
    lines += [b"", b"\t", orjson.dumps(req("z")), b""]
    data = b"\n".join(lines)  # ends without a newline after the last (blank) line
    report = check(data, shard_lines=2)
    assert report.ok and report.requests == 8
    assert [(s.first_line, s.last_line) for s in report.shards] == [
        (2, 3),
        (5, 6),
        (7, 8),
        (9, 12),
    ]
    physical = data.split(b"\n")
    for shard in report.shards:
        chunk = data[shard.start : shard.end]
        assert chunk.endswith(b"\n")
        assert chunk.split(b"\n")[:-1] == physical[shard.first_line - 1 : shard.last_line]
    ids = [
        orjson.loads(line)["custom_id"]
        for shard in report.shards
        for line in data[shard.start : shard.end].splitlines()
        if line.strip()
    ]
    assert ids == ["a", "b", "r0", "r1", "r2", "r3", "r4", "z"]


def test_last_shard_ends_at_the_end_of_an_unterminated_file() -> None:
    data = jsonl(req("a"), req("b")) + orjson.dumps(req("c"))
    report = check(data, shard_lines=2)
    assert report.shards == [
        LineSpan(1, 2, 0, len(jsonl(req("a"), req("b"))), 2),
        LineSpan(3, 3, len(jsonl(req("a"), req("b"))), len(data), 1),
    ]


def _mixed_file() -> bytes:
    lines: list[bytes] = [b"\xef\xbb\xbf" + orjson.dumps(req("first"))]
    for i in range(60):
        if i % 7 == 0:
            lines.append(b" " * (i % 5))
        elif i % 11 == 0:
            lines.append(b"{broken" + b"x" * i)
        else:
            lines.append(orjson.dumps(req(f"id{i % 23}", note="y" * (i * 3))))
    return b"\n".join(lines) + b"\n"


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 7, 64, 1000])
def test_chunk_size_does_not_change_the_report(
    monkeypatch: pytest.MonkeyPatch, chunk_bytes: int
) -> None:
    data = _mixed_file()
    limits = Limits(max_validation_errors=10_000)
    expected = check(data, limits=limits, shard_lines=4)
    assert expected.errors and expected.shards
    monkeypatch.setattr(validation, "CHUNK_BYTES", chunk_bytes)
    assert check(data, limits=limits, shard_lines=4) == expected
    cut = Limits(max_validation_errors=10_000, max_batch_file_bytes=len(data) // 2)
    monkeypatch.setattr(validation, "CHUNK_BYTES", 1 << 20)
    expected_cut = check(data, limits=cut)
    monkeypatch.setattr(validation, "CHUNK_BYTES", chunk_bytes)
    assert check(data, limits=cut) == expected_cut


def test_validate_path(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(jsonl(req("a"), req("a")))
    report = validate_path(path, endpoint=CHAT, limits=Limits(), models=None)
    assert codes(report) == [("duplicate_custom_id", "custom_id", 2)]


@pytest.mark.parametrize(
    "call",
    [
        lambda: check(b"", endpoint="/v1/nope"),
        lambda: check(jsonl(req("a")), shard_lines=0),
    ],
)
def test_caller_bugs_raise(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        call()
