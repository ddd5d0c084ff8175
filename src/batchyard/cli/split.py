"""`batchyard split`: cut request files into parts within a Batch API's limits."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from batchyard.cli.options import limits_options, say, user_errors
from batchyard.client.index import Index
from batchyard.client.split import split_files
from batchyard.wording import counted


@click.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@limits_options(
    "Requests per part at most.",
    "Bytes per part at most (e.g. 200MB, 100MiB).",
)
@click.option(
    "-o", "--out-dir", type=click.Path(file_okay=False, path_type=Path),
    help="Where the parts go (default: beside the first file).",
)  # fmt: skip
def split(files: tuple[Path, ...], max_requests: int, max_bytes: int, out_dir: Path | None) -> None:
    """Split FILES into parts of at most --max-requests lines and --max-bytes bytes.

    \b
    Parts are balanced and named FIRST.part-0001.jsonl, ...; lines keep their
    order and bytes. A custom_id used twice, in one file or across files,
    stops the split with both places named. Examples:
      batchyard split requests.jsonl                       # OpenAI's limits
      batchyard split a.jsonl b.jsonl --max-requests 10000 --max-bytes 50MB -o parts/
    `batchyard submit` does this itself; use split to inspect or hand parts on.
    """
    out = out_dir or files[0].parent
    stem = files[0].name.split(".")[0]
    with (
        user_errors(),
        tempfile.TemporaryDirectory() as tmp,
        Index(Path(tmp) / "ids.sqlite") as index,
    ):
        parts = split_files(
            list(files),
            out,
            max_requests=max_requests,
            max_bytes=max_bytes,
            index=index,
            name=lambda n: f"{stem}.part-{n:04d}",
        )
    for part in parts:
        click.echo(f"{part.path}\t{part.requests}\t{part.bytes}")
    total = sum(p.requests for p in parts)
    say(f"{counted(total, 'request')} in {counted(len(parts), 'part')} under {out}")
