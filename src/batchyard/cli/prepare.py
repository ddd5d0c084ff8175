"""`batchyard prepare`: a CSV, JSONL or Parquet table to a batch request file."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from batchyard.cli.options import say, user_errors
from batchyard.client.errors import ToolkitError
from batchyard.client.prepare import Piece, Recipe, Template, endpoint_path, write_requests
from batchyard.client.rows import FORMATS, detect_format
from batchyard.client.validate import check, describe


def _param(value: str) -> tuple[str, object]:
    key, sep, raw = value.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{value!r} is not KEY=VALUE")
    try:
        return key, orjson.loads(raw)
    except orjson.JSONDecodeError:
        return key, raw  # a bare string


@click.command()
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="The request file to write (JSONL).",
)  # fmt: skip
@click.option("-m", "--model", required=True, help="body.model of every request.")
@click.option(
    "-e", "--endpoint", default=None,
    help="chat, responses, completions, embeddings, moderations, or a /v1/... path "
    "(default: chat, or embeddings with --input-column).",
)  # fmt: skip
@click.option(
    "-t", "--template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Prompt template: .toml/.json with system, user and [params]; any other file is the "
    "user message. Fields are {column}.",
)  # fmt: skip
@click.option("--system", help="System message (template text); overrides the template's.")
@click.option("--user", help="User message (template text); overrides the template's.")
@click.option("--input-column", help="Embeddings/moderations: the column to send as input.")
@click.option("--id-column", help="Column whose value is the custom_id (default: row-<n>).")
@click.option("--id-prefix", default="row-", show_default=True, help="custom_id = PREFIX<row>.")
@click.option(
    "-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
    help="Extra body parameter, VALUE as JSON if it parses (e.g. -p temperature=0 "
    "-p max_tokens=200). Repeatable.",
)  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="DATA's format (by suffix).")
def prepare(
    data: Path,
    output: Path,
    model: str,
    endpoint: str | None,
    template: Path | None,
    system: str | None,
    user: str | None,
    input_column: str | None,
    id_column: str | None,
    id_prefix: str,
    params: tuple[str, ...],
    fmt: str | None,
) -> None:
    """Build a request file from the rows of DATA (CSV, TSV, JSONL or Parquet).

    \b
    One request per row, streamed. The file is then checked with the
    server's validator. Examples:
      batchyard prepare reviews.csv -m gpt-4o-mini -o requests.jsonl \\
          --system "Label the sentiment." --user "Review: {text}" -p max_tokens=5
      batchyard prepare reviews.csv -m gpt-4o-mini -t prompt.toml --id-column id -o r.jsonl
      batchyard prepare docs.parquet -m text-embedding-3-small --input-column body -o e.jsonl
    \b
    prompt.toml:
      system = "You summarise support tickets."
      user = "Ticket {id}: {subject}\\n\\n{body}"
      [params]
      temperature = 0
    """
    with user_errors():
        path = endpoint_path(endpoint or ("embeddings" if input_column else "chat"))
        loaded = Template.load(template) if template else Template()
        if system is not None:
            loaded.system = Piece.parse(system, "--system")
        if user is not None:
            loaded.user = Piece.parse(user, "--user")
        loaded.params.update(dict(_param(p) for p in params))
        recipe = Recipe(path, model, loaded, input_column, id_column, id_prefix)
        count = write_requests(data, detect_format(data, fmt), recipe, output)
        report = check(output, endpoint=path)
        if not report.ok:
            raise ToolkitError(
                f"wrote {output}, but it would fail validation (line n = data row n):\n  "
                + "\n  ".join(describe(output, report, 20))
            )
    say(f"wrote {count:,} {path} requests to {output}")
