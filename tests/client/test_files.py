"""`batchyard validate` and `batchyard split`: local checks and limits, no server."""

from __future__ import annotations

from pathlib import Path

from tests.client.support import chat_requests, read_jsonl, run


def test_validate_reports_every_bad_line_and_the_target_limits(tmp_path: Path) -> None:
    good = chat_requests(tmp_path / "good.jsonl", 20)
    result = run("validate", good)
    assert "ok: 20 /v1/chat/completions requests, model batchyard-mock" in result.output

    over = run("validate", good, "--max-requests", "10", ok=False)
    assert "good.jsonl:11: too_many_requests" in over.output
    assert "batchyard split" in over.output
    big = run("validate", good, "--max-bytes", "1KB", ok=False)
    assert "file_too_large" in big.output
    model = run("validate", good, "--model", "gpt-4o", ok=False)
    assert "good.jsonl:1: model_not_found (body.model)" in model.output

    bad = tmp_path / "bad.jsonl"
    lines = good.read_bytes().splitlines()
    lines[2] = b"{not json"
    lines[4] = lines[4].replace(b'"POST"', b'"GET"')
    bad.write_bytes(b"\n".join(lines) + b"\n")
    result = run("validate", bad, ok=False)
    assert "bad.jsonl:3: invalid_json_line: This line is not parseable as valid JSON." in (
        result.output
    )
    assert "bad.jsonl:5: invalid_method (method)" in result.output


def test_split_balances_parts_and_keeps_every_line(tmp_path: Path) -> None:
    source = chat_requests(tmp_path / "in.jsonl", 25)
    out = tmp_path / "parts"
    result = run("split", source, "--max-requests", "10", "-o", out)
    parts = sorted(out.glob("in.part-*.jsonl"))
    assert [p.name for p in parts] == [f"in.part-000{n}.jsonl" for n in (1, 2, 3)]
    assert [len(read_jsonl(p)) for p in parts] == [9, 9, 7]
    assert b"".join(p.read_bytes() for p in parts) == source.read_bytes()
    assert "25 requests in 3 parts" in result.output

    size = len(source.read_bytes().splitlines()[0]) + 1
    run("split", source, "--max-bytes", str(size * 4), "-o", tmp_path / "by_bytes")
    by_bytes = sorted((tmp_path / "by_bytes").glob("*.jsonl"))
    assert all(p.stat().st_size <= size * 4 for p in by_bytes)
    assert sum(len(read_jsonl(p)) for p in by_bytes) == 25


def test_split_refuses_a_custom_id_used_in_two_files(tmp_path: Path) -> None:
    first = chat_requests(tmp_path / "a.jsonl", 5)
    second = chat_requests(tmp_path / "b.jsonl", 5, prefix="s")
    lines = second.read_bytes().splitlines()
    lines[3] = lines[3].replace(b'"s3"', b'"r1"')
    second.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "parts"
    result = run("split", first, second, "--max-requests", "4", "-o", out, ok=False)
    assert f"{second}:4: custom_id 'r1' is already used at {first}:2" in result.output
    assert not list(out.glob("*.jsonl"))  # nothing half-made is left
