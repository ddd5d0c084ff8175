"""What a batch's tokens cost: at the batch price, and had they been sent one by one.

Prices come from `[[prices]]` in the config (USD per million tokens at the
synchronous price, and the share of it a batch pays). A model with no price has
no cost: the fields are null rather than a misleading zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from batchyard.config import Price
from batchyard.records import Usage

CAP_KEY = "batchyard_max_cost_usd"
"""Metadata key: stop the batch (cancelled) once its cost reaches this many USD."""

_DIGITS = 9  # nano-dollars: a mock line of ten tokens still shows a cost


@dataclass(frozen=True, slots=True)
class Cost:
    batch_usd: float  # what the batch costs (the discounted price)
    sync_usd: float  # what the same tokens would cost through the synchronous API

    @property
    def savings_usd(self) -> float:
        return round(self.sync_usd - self.batch_usd, _DIGITS)


def cost_of(usage: Usage, price: Price) -> Cost:
    """The cost of `usage`; cached input tokens at the cached price when there is one."""
    cached = min(usage.cached_tokens, usage.input_tokens)
    cached_price = (
        price.cached_input_per_1m if price.cached_input_per_1m is not None else price.input_per_1m
    )
    sync = (
        (usage.input_tokens - cached) * price.input_per_1m
        + cached * cached_price
        + usage.output_tokens * price.output_per_1m
    ) / 1_000_000
    return Cost(
        batch_usd=round(sync * price.batch_discount_factor, _DIGITS),
        sync_usd=round(sync, _DIGITS),
    )


def parse_cap(metadata: dict[str, str] | None) -> float | None:
    """The batch's cost cap in USD, or None. ValueError if it is not a number >= 0."""
    if not metadata or CAP_KEY not in metadata:
        return None
    try:
        cap = float(metadata[CAP_KEY])
    except ValueError:
        raise ValueError(f"'{metadata[CAP_KEY]}' is not a number") from None
    if not math.isfinite(cap) or cap < 0:
        raise ValueError("it must be a finite number of USD, 0 or more")
    return cap
