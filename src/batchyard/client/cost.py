"""What a job costs: estimated from its requests before a run, from its usage after.

Estimates count tokens as characters / 4 (OpenAI's rule of thumb for English;
no tokenizer download needed) plus a few tokens of framing per message. Output
tokens cannot be known before a run: the estimate takes `output_tokens` per
request when given, else the request's own `max_tokens`-style cap (an upper
bound), else none. Prices are USD per 1M tokens at the synchronous rate; the
batch price is that times `discount` (OpenAI: 0.5).

PRICES is a small table of OpenAI's published standard prices, as of
PRICES_AS_OF. They change: it is an estimate, and --input-price/--output-price
override it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from batchyard.client.errors import ToolkitError
from batchyard.client.manifest import Manifest
from batchyard.client.split import request_lines

PRICES_AS_OF = "2025-08"
# model prefix -> (input, output) USD per 1M tokens, synchronous (standard tier).
PRICES: dict[str, tuple[float, float]] = {
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "o3": (2.00, 8.00),
    "o4-mini": (1.10, 4.40),
    "text-embedding-3-small": (0.02, 0.0),
    "text-embedding-3-large": (0.13, 0.0),
    "text-embedding-ada-002": (0.10, 0.0),
}
CHARS_PER_TOKEN = 4
_MESSAGE_OVERHEAD = 4  # role and separators, per chat message
_OUTPUT_CAPS = ("max_completion_tokens", "max_tokens", "max_output_tokens")
_NO_OUTPUT = ("/v1/embeddings", "/v1/moderations")  # billed for input only


@dataclass
class Price:
    model: str
    input: float  # USD per 1M tokens, synchronous
    output: float
    source: str  # "table (2025-08)" or "--input-price/--output-price"


@dataclass
class Tokens:
    requests: int = 0
    input: int = 0
    output: int = 0
    output_capped: int = 0  # requests whose output estimate is their max_tokens cap
    output_unknown: int = 0  # requests with no output estimate at all
    model: str | None = None


def lookup(model: str | None, input_price: float | None, output_price: float | None) -> Price:
    """The flags if given (both), else the longest table prefix of `model`."""
    if input_price is not None or output_price is not None:
        return Price(model or "?", input_price or 0.0, output_price or 0.0, "your prices")
    match = max((p for p in PRICES if model and model.startswith(p)), key=len, default=None)
    if match is None:
        raise ToolkitError(
            f"no built-in price for model {model!r}; pass --input-price and --output-price "
            f"(USD per 1M tokens). Known: {', '.join(sorted(PRICES))}"
        )
    return Price(model or match, *PRICES[match], f"OpenAI list price as of {PRICES_AS_OF}")


def count_tokens(paths: Iterable[Path], output_tokens: int | None) -> Tokens:
    """Estimate the tokens of every request line in `paths`."""
    tokens = Tokens()
    for path in paths:
        with open(path, "rb") as file:
            for line_no, line in request_lines(file):
                try:
                    request = orjson.loads(line)
                    body = request["body"]
                    url = request.get("url")
                except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
                    raise ToolkitError(f"{path}:{line_no}: not a request line") from None
                tokens.requests += 1
                tokens.model = tokens.model or body.get("model")
                tokens.input += _input_tokens(body)
                if output_tokens is not None:
                    tokens.output += output_tokens
                    continue
                cap = next((body[k] for k in _OUTPUT_CAPS if isinstance(body.get(k), int)), None)
                if cap is not None:
                    tokens.output += cap * int(body.get("n", 1) or 1)
                    tokens.output_capped += 1
                elif url not in _NO_OUTPUT:
                    tokens.output_unknown += 1
    return tokens


def _input_tokens(body: dict[str, Any]) -> int:
    chars = 0
    overhead = 0
    messages = body.get("messages")
    if isinstance(messages, list):
        for message in messages:
            overhead += _MESSAGE_OVERHEAD
            chars += _text_chars(message.get("content") if isinstance(message, dict) else None)
        overhead += 3  # the reply's priming
    for key in ("input", "prompt", "instructions"):
        chars += _text_chars(body.get(key))
    return overhead + -(-chars // CHARS_PER_TOKEN)


def _text_chars(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_text_chars(v) for v in value)
    if isinstance(value, dict):
        return _text_chars(value.get("text") or value.get("content"))
    return 0


def dollars(tokens_in: int, tokens_out: int, price: Price, factor: float = 1.0) -> float:
    return (tokens_in * price.input + tokens_out * price.output) / 1e6 * factor


def actual_tokens(manifest: Manifest) -> tuple[int, int, int]:
    """(input, output, cached) tokens the job's batches report in `usage`."""
    parts = manifest.parts
    return (
        sum(p.input_tokens for p in parts),
        sum(p.output_tokens for p in parts),
        sum(p.cached_tokens for p in parts),
    )
