"""`batchyard cost`: what a file or job will cost, and what a job did cost, batch vs sync."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from batchyard.cli.options import base_url_option, console, open_job, say, user_errors
from batchyard.client.cost import (
    PRICES_AS_OF,
    Price,
    Tokens,
    actual_tokens,
    count_tokens,
    dollars,
    lookup,
)
from batchyard.client.index import Index
from batchyard.client.manifest import Manifest, ManifestError, is_manifest
from batchyard.client.submit import Submitter


@click.command()
@click.argument("target", metavar="FILE|MANIFEST", type=click.Path(exists=True, path_type=Path))
@base_url_option
@click.option("--model", help="Price this model (default: the requests' body.model).")
@click.option("--input-price", type=click.FloatRange(min=0), help="USD per 1M input tokens.")
@click.option("--output-price", type=click.FloatRange(min=0), help="USD per 1M output tokens.")
@click.option(
    "--discount", type=click.FloatRange(0, 1), default=0.5, show_default=True,
    help="Batch price as a share of the synchronous price.",
)  # fmt: skip
@click.option(
    "--output-tokens", type=click.IntRange(min=0),
    help="Expected output tokens per request, for the estimate (default: each request's "
    "max_tokens cap, if it has one).",
)  # fmt: skip
def cost(
    target: Path,
    base_url: str | None,
    model: str | None,
    input_price: float | None,
    output_price: float | None,
    discount: float,
    output_tokens: int | None,
) -> None:
    """Estimate what FILE costs, or a job's estimate and actual cost from its MANIFEST.

    \b
    Tokens are estimated at 4 characters each; prices come from a small table
    of OpenAI list prices (as of the date shown: check the current page) or
    from --input-price/--output-price. After a run the actual cost comes from
    the batches' reported usage. Examples:
      batchyard cost requests.jsonl --output-tokens 150
      batchyard cost requests.jsonl --input-price 0.2 --output-price 0.8 --discount 0.5
      batchyard cost requests.batchyard.json
    """
    with user_errors():
        manifest: Manifest | None = None
        if is_manifest(target):
            manifest, client = open_job(target, base_url)
            try:
                with manifest.lock():  # a running watch keeps the counts fresh itself
                    Submitter(manifest, client).refresh()
            except ManifestError:
                pass
            paths = [manifest.part_path(p) for p in manifest.parts if p.round == 0]
        else:
            paths = [target]
        estimate = count_tokens(paths, output_tokens)
        price = lookup(model or estimate.model, input_price, output_price)
    table = Table(title=f"{price.model}: {_rates(price)}", title_justify="left")
    for column in ("", "requests", "input tokens", "output tokens", "sync", "batch"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row(*_estimate_row(estimate, price, discount))
    if manifest is not None:
        table.add_row(*_actual_row(manifest, price, discount))
    console.print(table)
    if estimate.output_unknown:
        say(
            f"{estimate.output_unknown:,} requests have no max_tokens: their output is not in "
            "the estimate; pass --output-tokens N"
        )
    if price.source.startswith("OpenAI"):
        say(f"prices: {price.source} ({PRICES_AS_OF}); an estimate, not a bill")


def _rates(price: Price) -> str:
    return f"${price.input:g} in / ${price.output:g} out per 1M tokens ({price.source})"


def _estimate_row(tokens: Tokens, price: Price, discount: float) -> list[str]:
    sync = dollars(tokens.input, tokens.output, price)
    capped = "≤ " if tokens.output_capped else ""
    return [
        "estimate",
        f"{tokens.requests:,}",
        f"~{tokens.input:,}",
        f"{capped}{tokens.output:,}",
        f"${sync:,.4f}",
        f"${sync * discount:,.4f}",
    ]


def _actual_row(manifest: Manifest, price: Price, discount: float) -> list[str]:
    tokens_in, tokens_out, _ = actual_tokens(manifest)
    if not tokens_in and not tokens_out and manifest.index_path.exists():
        with Index(manifest.index_path) as index:
            tokens_in, tokens_out = index.tokens()  # servers that do not report usage
    sync = dollars(tokens_in, tokens_out, price)
    done = sum(p.completed for p in manifest.parts)
    return [
        "actual",
        f"{done:,}",
        f"{tokens_in:,}",
        f"{tokens_out:,}",
        f"${sync:,.4f}",
        f"${sync * discount:,.4f}",
    ]
