"""`batchyard cleanup`: delete a job's uploaded and result files on the server."""

from __future__ import annotations

from pathlib import Path

import click

from batchyard.cli.options import base_url_option, manifest_argument, open_job, say, user_errors
from batchyard.client.cleanup import cleanup as delete_files
from batchyard.wording import counted


@click.command()
@manifest_argument
@base_url_option
@click.option("--inputs/--no-inputs", default=True, show_default=True, help="Uploaded requests.")
@click.option("--results/--no-results", default=True, show_default=True, help="Output/error files.")
@click.option("--force", is_flag=True, help="Delete results even if not collected yet.")
def cleanup(
    manifest_path: Path, base_url: str | None, inputs: bool, results: bool, force: bool
) -> None:
    """Delete MANIFEST's files on the server once they are no longer needed.

    \b
    Inputs go once their batch has ended; results once `collect` has saved
    them (or with --force). Local copies in the job's folder stay. Examples:
      batchyard cleanup requests.batchyard.json
      batchyard cleanup requests.batchyard.json --no-results
    """
    with user_errors():
        manifest, client = open_job(manifest_path, base_url)
        with manifest.lock():
            done = delete_files(manifest, client, inputs=inputs, results=results, force=force)
    for kept in done.kept:
        say(f"kept {kept}")
    say(f"deleted {counted(len(done.deleted), 'file')} on the server; kept {len(done.kept)}")
