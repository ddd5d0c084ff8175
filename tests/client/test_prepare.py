"""`batchyard prepare`: table rows to request lines, with errors that name the row."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from tests.client.support import read_jsonl, run


def test_csv_rows_become_chat_requests_through_a_toml_template(tmp_path: Path) -> None:
    data = tmp_path / "tickets.csv"
    data.write_text('id,subject,body\nT1,Login,"Cannot log in,\nat all"\nT2,Bill,{braces}\n')
    template = tmp_path / "prompt.toml"
    template.write_text(
        'system = "You triage tickets."\n'
        'user = "Ticket {id}: {subject}\\n\\n{body} {{literal}}"\n'
        "[params]\ntemperature = 0\n"
    )
    out = tmp_path / "requests.jsonl"
    run("prepare", data, "-m", "gpt-4o-mini", "-t", template, "--id-column", "id",
        "-p", "max_tokens=50", "-p", "stop=END", "-o", out)  # fmt: skip
    lines = read_jsonl(out)
    assert [line["custom_id"] for line in lines] == ["T1", "T2"]
    assert lines[0]["url"] == "/v1/chat/completions" and lines[0]["method"] == "POST"
    assert lines[0]["body"] == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "You triage tickets."},
            {"role": "user", "content": "Ticket T1: Login\n\nCannot log in,\nat all {literal}"},
        ],
        "temperature": 0,
        "max_tokens": 50,
        "stop": "END",
    }
    assert lines[1]["body"]["messages"][1]["content"] == "Ticket T2: Bill\n\n{braces} {literal}"


def test_row_numbers_become_ids_and_other_endpoints_get_their_fields(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text('{"text": "a b"}\n\n{"text": "c"}\n')
    out = tmp_path / "r.jsonl"
    run("prepare", data, "-m", "m", "-e", "responses", "--system", "Be brief.",
        "--user", "{text}", "-o", out)  # fmt: skip
    lines = read_jsonl(out)
    assert [line["custom_id"] for line in lines] == ["row-1", "row-2"]
    assert lines[0]["body"] == {"model": "m", "instructions": "Be brief.", "input": "a b"}
    run("prepare", data, "-m", "m", "-e", "completions", "--user", "Q: {text}", "-o", out)
    assert read_jsonl(out)[1]["body"] == {"model": "m", "prompt": "Q: c"}


def test_parquet_column_becomes_embedding_inputs(tmp_path: Path) -> None:
    data = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"doc_id": [7, 8, 9], "body": ["x", "y z", "w"]}), data)
    out = tmp_path / "e.jsonl"
    run("prepare", data, "-m", "text-embedding-3-small", "--input-column", "body",
        "--id-column", "doc_id", "-p", "dimensions=256", "-o", out)  # fmt: skip
    lines = read_jsonl(out)
    assert [line["custom_id"] for line in lines] == ["7", "8", "9"]
    assert lines[1]["url"] == "/v1/embeddings"
    assert lines[1]["body"] == {
        "model": "text-embedding-3-small",
        "input": "y z",
        "dimensions": 256,
    }


def test_bad_input_is_named_by_column_or_row(tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    data.write_text("id,text\n1,hello\n2,\n1,again\n")
    out = tmp_path / "r.jsonl"
    typo = run("prepare", data, "-m", "m", "--user", "{txt}", "-o", out, ok=False)
    assert "has no column(s) txt" in typo.output and "id, text" in typo.output
    assert not out.exists()
    empty = run("prepare", data, "-m", "m", "--input-column", "text", "-o", out, ok=False)
    assert "row 2: the input is empty" in empty.output
    twice = run("prepare", data, "-m", "m", "--user", "{text}", "--id-column", "id", "-o", out,
                ok=False)  # fmt: skip
    assert "r.jsonl:3: duplicate_custom_id (custom_id)" in twice.output
    spec = run("prepare", data, "-m", "m", "--user", "{text!r}", "-o", out, ok=False)
    assert "is not a plain {column} field" in spec.output
