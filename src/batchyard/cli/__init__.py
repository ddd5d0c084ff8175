"""The `batchyard` command: a click group, and the list of subcommands added to it.

Each subcommand lives in a sibling module; what they share is in `cli/options.py`.
"""

from __future__ import annotations

import logging

import click

from batchyard import __version__

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


@click.group(help=HELP)
@click.version_option(__version__, prog_name="batchyard")
def cli() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # httpx logs every request's full URL at INFO, and URLs can carry secrets (a webhook
    # receiver's ?token=...); batchyard's own lines say what happened without them.
    for noisy in ("httpx", "httpcore", "alembic", "botocore", "boto3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main() -> None:
    cli()


# After `cli` exists: the command modules import only cli.options, never this module.
from batchyard.cli import (  # noqa: E402
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

COMMANDS: tuple[click.Command, ...] = (
    run.run,
    serve.serve,
    worker.worker,
    keys.keys,
    prepare.prepare,
    validate.validate,
    split.split,
    submit.submit,
    watch.watch,
    collect.collect,
    retry.retry,
    cost.cost,
    cleanup.cleanup,
)
for command in COMMANDS:
    cli.add_command(command)

__all__ = ["COMMANDS", "cli", "main"]
