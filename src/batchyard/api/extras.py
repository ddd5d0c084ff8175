"""batchyard's own fields on a Batch object: ETA, whether it is at risk, cost, why it stopped.

They sit under one extra key, `batchyard`, so they can never collide with a
field OpenAI adds later; the SDK keeps unknown fields, even in strict mode
(`batch.model_extra["batchyard"]`). docs/compatibility.md describes them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from batchyard.api.schemas import batch_object
from batchyard.backends.base import parse_options
from batchyard.backends.batchapi import BatchAPIOptions
from batchyard.config import ModelConfig, Settings
from batchyard.eta import estimate
from batchyard.pricing import cost_of, parse_cap
from batchyard.records import BatchRecord, BatchStatus, ProgressMarks, Usage
from batchyard.store import Store

EXTRA_KEY = "batchyard"


def batch_extra(
    record: BatchRecord, settings: Settings, marks: ProgressMarks | None, now: float
) -> dict[str, Any]:
    running = record.status is BatchStatus.IN_PROGRESS and record.stop_reason is None
    eta = None
    if running:
        eta = estimate(
            total=record.total,
            finished=record.completed + record.failed,
            in_progress_at=record.in_progress_at,
            expires_at=record.expires_at,
            marks=marks,
            now=now,
        )
    price = settings.price(record.model)
    cost = None
    if price is not None:
        spent = cost_of(record.usage, price)
        try:
            cap = parse_cap(record.metadata)
        except ValueError:
            cap = None
        cost = {
            "currency": "usd",
            "batch": spent.batch_usd,
            "synchronous": spent.sync_usd,
            "savings": spent.savings_usd,
            "cap": cap,
        }
    # At risk is the monitor's plan alone (engine/feasibility.py): the same verdict the
    # claim acts on, with the model's throughput and the batches ahead in its reason.
    reason = marks.at_risk_reason if running and marks is not None else None
    planned = marks.plan_eta if running and marks is not None else None
    return {
        # The batch's own measured pace when it has one (the ETA rule's guarantee,
        # tests/e2e/test_eta.py); the monitor's plan, which knows the queue, before that.
        "eta": eta.eta if eta and eta.eta is not None else (round(planned) if planned else None),
        "at_risk": reason is not None,
        "at_risk_reason": reason,
        "lines_per_second": eta.lines_per_second if eta else None,
        "cost": cost,
        "stop_reason": record.stop_reason.value if record.stop_reason else None,
    }


def batch_objects(
    store: Store, settings: Settings, records: Sequence[BatchRecord]
) -> list[dict[str, Any]]:
    """The wire shape of each batch, with the extra fields (one query for progress marks)."""
    running = [r.id for r in records if r.status is BatchStatus.IN_PROGRESS]
    marks = store.monitor.progress_of(running)
    now = time.time()
    objects = []
    for r in records:
        extra = batch_extra(r, settings, marks.get(r.id), now)
        model = settings.model(r.model) if r.model else None
        if model is not None and model.backend == "openai-batch":
            extra["pieces"] = piece_fields(store, settings, r, model, extra)
        objects.append({**batch_object(r), EXTRA_KEY: extra})
    return objects


def piece_fields(
    store: Store, settings: Settings, record: BatchRecord, model: ModelConfig, extra: dict[str, Any]
) -> dict[str, Any]:
    """`batchyard.pieces` (docs/provider-batch.md#live-state). Lines the fallback model ran
    cost its synchronous price: the batch's cost counts them so, and says what they cost."""
    pieces = store.pieces.summary(record.id)
    options = parse_options(BatchAPIOptions, model)
    pieces["enqueued_token_limit"] = options.enqueued_tokens
    fallback = pieces["fallback"]
    fallback["model"] = options.fallback
    used = Usage(**fallback["usage"])
    price = settings.price(options.fallback) or settings.price(record.model)
    spent = cost_of(used, price) if price is not None else None
    fallback["cost_usd"] = spent.sync_usd if spent is not None else None
    own = settings.price(record.model)
    if spent is not None and own is not None and extra.get("cost") and fallback["lines"]:
        rest = Usage(
            max(0, record.usage.input_tokens - used.input_tokens),
            max(0, record.usage.output_tokens - used.output_tokens),
            max(0, record.usage.cached_tokens - used.cached_tokens),
        )
        extra["cost"]["batch"] = round(cost_of(rest, own).batch_usd + spent.sync_usd, 9)
        extra["cost"]["savings"] = round(extra["cost"]["synchronous"] - extra["cost"]["batch"], 9)
    return pieces
