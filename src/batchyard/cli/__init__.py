"""The `batchyard` command: a click group; each subcommand lives in a sibling module."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from rich.console import Console

from batchyard import __version__
from batchyard.config import ConfigError, Settings, load_settings

HELP = """A self-hosted, OpenAI-compatible Batch API.

\b
  batchyard run requests.jsonl     # run a batch file here, no server
  batchyard serve                  # the Files + Batches API on http://127.0.0.1:8000/v1
  batchyard serve --no-worker      # the API only, for many machines (docs/scaling.md)
  batchyard worker                 # the engine only: runs the batches of any API
  batchyard keys create --project P  # an API key; from then on every request needs one

\b
The client toolkit, for batchyard or any OpenAI-compatible Batch API
(--base-url or $OPENAI_BASE_URL, key in $OPENAI_API_KEY):
  batchyard prepare rows.csv -m MODEL --user "Summarise: {text}" -o requests.jsonl
  batchyard submit requests.jsonl --wait      # split, upload, create, watch
  batchyard collect requests.batchyard.json -o results.csv
  (also: validate, split, watch, retry, cost, cleanup)
"""

console = Console(stderr=True, soft_wrap=True)


def load_cli_settings(
    config: Path | None,
    data_dir: Path | None,
    *,
    database_url: str | None = None,
    blob_url: str | None = None,
) -> Settings:
    try:
        return load_settings(
            config, data_dir=data_dir, database_url=database_url, blob_url=blob_url
        )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


config_option = click.option(
    "--config", type=click.Path(dir_okay=False, path_type=Path), help="A TOML config file."
)
data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the SQLite database and file bytes live by default (default: ./data).",
)
database_url_option = click.option(
    "--database-url",
    envvar="BATCHYARD_DATABASE_URL",
    help="postgresql://… or sqlite:///…; shared by every API and worker process.",
)
blob_url_option = click.option(
    "--blob-url",
    envvar="BATCHYARD_BLOB_URL",
    help="s3://bucket/prefix (or a folder) for file bytes and journals.",
)


def where(settings: Settings) -> str:
    """Where a process keeps its state, for its first log line; passwords hidden."""
    from sqlalchemy.engine import make_url

    database = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    return f"database {database}, blobs {settings.blob_url or settings.blob_dir}"


@click.group(help=HELP)
@click.version_option(__version__, prog_name="batchyard")
def cli() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # httpx logs every request's full URL at INFO, and URLs can carry secrets (a webhook
    # receiver's ?token=...); batchyard's own lines say what happened without them.
    for noisy in ("httpx", "httpcore", "alembic", "botocore", "boto3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main() -> None:
    from batchyard.cli import (  # noqa: F401 - registers the subcommands
        cleanup,
        collect,
        cost,
        keys,
        prepare,
        retry,
        run,
        serve,
        split,
        submit,
        validate,
        watch,
        worker,
    )

    cli()
