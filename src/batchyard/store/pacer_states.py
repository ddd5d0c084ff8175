"""The pacers' state, as each engine last reported it: what the queue page shows.

A pacer lives in the process that sends, so an engine writes what its pacers know
every few seconds (engine/pacer_report.py) and any `serve` reads every worker's
here. Rows are per worker and model; `live` ignores those not refreshed lately
(a worker that died without saying goodbye).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Engine, delete, insert, select

from batchyard.store.schema import pacer_states


@dataclass(frozen=True, slots=True)
class PacerReport:
    owner: str
    model: str
    updated_at: float
    state: dict[str, Any]


class PacerStateStore:
    """The `pacer_states` table, on the store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(self, owner: str, states: dict[str, dict[str, Any]], now: float) -> None:
        """Replace `owner`'s rows with one per model in `states`."""
        with self.engine.begin() as conn:
            conn.execute(delete(pacer_states).where(pacer_states.c.owner == owner))
            if states:
                conn.execute(
                    insert(pacer_states),
                    [
                        {
                            "owner": owner,
                            "model": model,
                            "updated_at": now,
                            "state": orjson.dumps(state).decode(),
                        }
                        for model, state in states.items()
                    ],
                )

    def live(self, since: float) -> list[PacerReport]:
        """Every report refreshed at or after `since`, by model then worker."""
        query = (
            select(pacer_states)
            .where(pacer_states.c.updated_at >= since)
            .order_by(pacer_states.c.model, pacer_states.c.owner)
        )
        with self.engine.begin() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            PacerReport(r["owner"], r["model"], r["updated_at"], orjson.loads(r["state"]))
            for r in rows
        ]

    def drop(self, owner: str) -> None:
        """A worker stopping cleanly takes its rows with it."""
        with self.engine.begin() as conn:
            conn.execute(delete(pacer_states).where(pacer_states.c.owner == owner))
