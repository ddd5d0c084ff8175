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


def load_cli_settings(config: Path | None, data_dir: Path | None) -> Settings:
    try:
        return load_settings(config, data_dir=data_dir)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


config_option = click.option(
    "--config", type=click.Path(dir_okay=False, path_type=Path), help="A TOML config file."
)


@click.group(help=HELP)
@click.version_option(__version__, prog_name="batchyard")
def cli() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # httpx logs every request's full URL at INFO, and URLs can carry secrets (a webhook
    # receiver's ?token=...); batchyard's own lines say what happened without them.
    for noisy in ("httpx", "httpcore"):
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
    )

    cli()
