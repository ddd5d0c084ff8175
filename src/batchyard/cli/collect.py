"""`batchyard collect`: download, merge in input order, and report what is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from batchyard.cli.options import base_url_option, manifest_argument, open_job, say, user_errors
from batchyard.client.advice import advise
from batchyard.client.collect import Outcome, download, merge, missing_ids
from batchyard.client.index import Index
from batchyard.client.manifest import Manifest
from batchyard.client.submit import Submitter


def report(manifest: Manifest, outcome: Outcome) -> None:
    say(
        f"{outcome.total:,} requests: {outcome.ok:,} ok, {outcome.failed:,} failed, "
        f"{outcome.missing:,} missing, {outcome.pending:,} still running"
    )
    if outcome.codes:
        codes = ", ".join(f"{code} x{n:,}" for code, n in outcome.codes.most_common(8))
        say(f"  errors: {codes}")
    if outcome.missing_ids:
        more = outcome.missing - len(outcome.missing_ids)
        ids = ", ".join(outcome.missing_ids) + (f" and {more:,} more" if more else "")
        say(f"  no result for: {ids}")
    for part in manifest.parts:
        if part.results_expired:
            say(
                f"  {part.name}: its results expired: {part.results_expired}. Collecting "
                "again cannot bring them back; `batchyard retry` runs its lines again."
            )
    for line in advise(manifest, outcome.codes, outcome.missing_by_part):
        say(f"  {line}")


def refresh_and_download(manifest: Manifest, submitter: Submitter, index: Index) -> None:
    submitter.refresh()
    fetched = download(manifest, submitter.client, index)
    if fetched:
        say(f"downloaded {fetched} result files")


@click.command()
@manifest_argument
@base_url_option
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="The merged results: .jsonl (the server's lines), .csv or .parquet (flat columns).",
)  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]))
@click.option(
    "--missing-ids", "missing_file", type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every custom_id without a result here, one per line.",
)  # fmt: skip
@click.option("--strict", is_flag=True, help="Exit 1 unless every request succeeded.")
def collect(
    manifest_path: Path,
    base_url: str | None,
    output: Path,
    fmt: str | None,
    missing_file: Path | None,
    strict: bool,
) -> None:
    """Download MANIFEST's results and merge them into one file in input order.

    \b
    One line or row per input request, in the order of the input files; the
    best answer across retries wins. Requests without any result are listed.
    Re-running downloads only what is new. CSV/Parquet columns: custom_id,
    status (ok|error|missing|pending), status_code, content, embedding,
    error_code, error_message, input_tokens, output_tokens. Examples:
      batchyard collect requests.batchyard.json -o results.csv
      batchyard collect requests.batchyard.json -o results.parquet --missing-ids missing.txt
    """
    with user_errors():
        manifest, client = open_job(manifest_path, base_url)
        with manifest.lock(), Index(manifest.index_path) as index:
            refresh_and_download(manifest, Submitter(manifest, client), index)
            outcome = merge(manifest, index, output, fmt)
            if missing_file is not None:
                with open(missing_file, "w", encoding="utf-8") as out:
                    out.writelines(f"{c}\n" for c in missing_ids(manifest, index))
    say(f"wrote {output}")
    report(manifest, outcome)
    if strict and not outcome.complete:
        sys.exit(1)
