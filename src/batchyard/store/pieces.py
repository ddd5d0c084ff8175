"""Pieces: each provider batch an `openai-batch` model's shard was sent as.

A row is written before the upload and the create that make its upstream file
and batch, and each step's outcome is recorded after it, so a worker that dies
anywhere leaves a row saying what to look up upstream (by filename, by metadata)
instead of creating it again.

The enqueued-token budget is checked and taken in one transaction (`reserve`),
under a per-model lock on PostgreSQL and SQLite's write lock, so two workers
never both take its last room. A limit learned from the upstream's refusal
(`learn_limit`) is kept in `piece_limits`, for every worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from batchyard.records import Usage
from batchyard.store.base import StoreBase
from batchyard.store.schema import piece_limits, pieces

LIVE = ("recorded", "uploaded", "creating", "created")
# `refused`: the upstream failed it for its enqueued-token limit (not a try of its lines);
# `fallback`: piece 0 of a shard, the lines its `fallback` model ran, and their usage.
FALLBACK = "fallback"


@dataclass(slots=True)
class PieceRecord:
    batch_id: str
    shard: int
    piece: int
    model: str
    status: str
    lines: list[int]
    tokens: int
    recorded_at: float
    file_id: str | None = None
    provider_batch_id: str | None = None
    provider_status: str | None = None

    @property
    def live(self) -> bool:
        return self.status in LIVE


def _record(row: Any) -> PieceRecord:
    return PieceRecord(
        batch_id=row["batch_id"],
        shard=row["shard"],
        piece=row["piece"],
        model=row["model"],
        status=row["status"],
        lines=list(row["lines"]),
        tokens=row["tokens"],
        recorded_at=row["recorded_at"],
        file_id=row["file_id"],
        provider_batch_id=row["provider_batch_id"],
        provider_status=row["provider_status"],
    )


class PieceStore(StoreBase):
    """The verbs on pieces, reached as `store.pieces`."""

    def reserve(self, piece: PieceRecord, configured: int | None) -> bool:
        """Record the piece if the model's enqueued tokens plus its own fit the limit in
        force (the configured one, or the learned one when lower), or if nothing else of
        the model is enqueued (a piece alone always goes). Checked and taken in one
        transaction: False, and nothing written, when there is no room."""
        with self._tx() as conn:
            limit = self._limit(conn, piece.model, configured)
            if limit is not None:
                enqueued = self._enqueued(conn, piece.model)
                if enqueued and enqueued + piece.tokens > limit:
                    return False
            conn.execute(
                insert(pieces).values(
                    batch_id=piece.batch_id,
                    shard=piece.shard,
                    piece=piece.piece,
                    model=piece.model,
                    status=piece.status,
                    lines=piece.lines,
                    tokens=piece.tokens,
                    recorded_at=piece.recorded_at,
                )
            )
        return True

    def _limit(self, conn: Connection, model: str, configured: int | None) -> int | None:
        if conn.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE serializes already
            conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"pieces:{model}"))))
        learned = conn.execute(
            select(piece_limits.c.enqueued_tokens).where(piece_limits.c.model == model)
        ).scalar()
        known = [v for v in (configured, learned) if v is not None]
        return min(known) if known else None

    @staticmethod
    def _enqueued(conn: Connection, model: str) -> int:
        total = conn.execute(
            select(func.coalesce(func.sum(pieces.c.tokens), 0)).where(
                pieces.c.model == model, pieces.c.status.in_(LIVE)
            )
        ).scalar()
        return int(total or 0)

    def learn_limit(self, piece: PieceRecord, now: float) -> int:
        """The upstream refused `piece` for its enqueued-token limit: the limit is at most
        what the model had enqueued besides it then (half the piece when that was
        nothing). Only ever lowered until `forget_limit`; the piece becomes `refused`. Returns
        the limit."""
        with self._tx() as conn:
            known = self._limit(conn, piece.model, None)  # under the model's lock
            others = self._enqueued(conn, piece.model) - (piece.tokens if piece.live else 0)
            seen = others if others > 0 else max(1, piece.tokens // 2)
            if known is None:
                conn.execute(
                    insert(piece_limits).values(
                        model=piece.model, enqueued_tokens=seen, learned_at=now
                    )
                )
            elif seen < known:
                conn.execute(
                    update(piece_limits)
                    .where(piece_limits.c.model == piece.model)
                    .values(enqueued_tokens=seen, learned_at=now)
                )
            else:
                seen = int(known)
            self._set(conn, piece, status="refused")
        piece.status = "refused"
        return seen

    def forget_limit(self, model: str, learned_before: float) -> bool:
        """Drop the model's learned limit if it was learned before `learned_before`, so the
        configured limit is tried again: an upstream's limit may have been raised since.
        True if one was dropped (a refusal then teaches it anew)."""
        with self._tx() as conn:
            dropped = conn.execute(
                delete(piece_limits).where(
                    piece_limits.c.model == model, piece_limits.c.learned_at < learned_before
                )
            )
            return bool(dropped.rowcount)

    def learned_limits(self) -> dict[str, int]:
        with self._tx() as conn:
            rows = conn.execute(select(piece_limits.c.model, piece_limits.c.enqueued_tokens))
            return {model: int(tokens) for model, tokens in rows.all()}

    def fallback_of(self, batch_id: str, shard: int) -> tuple[list[int], Usage]:
        """What the shard's fallback model ran under earlier owners (a new owner goes on)."""
        with self._tx() as conn:
            row = conn.execute(
                select(pieces.c.lines, pieces.c.usage).where(
                    pieces.c.batch_id == batch_id, pieces.c.shard == shard, pieces.c.piece == 0
                )
            ).first()
        if row is None:
            return [], Usage()
        return list(row[0]), Usage(**(row[1] or {}))

    def record_fallback(
        self, batch_id: str, shard: int, model: str, lines: list[int], usage: Usage, now: float
    ) -> None:
        """What the shard's `fallback` model has run so far (piece 0, written whole)."""
        values = {
            "lines": lines,
            "usage": {
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "cached_tokens": usage.cached_tokens,
                "reasoning_tokens": usage.reasoning_tokens,
            },
        }
        key = (pieces.c.batch_id == batch_id, pieces.c.shard == shard, pieces.c.piece == 0)
        with self._tx() as conn:
            if conn.execute(update(pieces).where(*key).values(**values)).rowcount == 0:
                conn.execute(
                    insert(pieces).values(
                        batch_id=batch_id,
                        shard=shard,
                        piece=0,
                        model=model,
                        status=FALLBACK,
                        tokens=0,
                        recorded_at=now,
                        **values,
                    )
                )

    def update(self, piece: PieceRecord, **values: Any) -> None:
        """Record a step's outcome (status, file_id, provider ids) on the row and the record."""
        with self._tx() as conn:
            self._set(conn, piece, **values)
        for key, value in values.items():
            setattr(piece, key, value)

    @staticmethod
    def _set(conn: Connection, piece: PieceRecord, **values: Any) -> None:
        conn.execute(
            update(pieces)
            .where(
                pieces.c.batch_id == piece.batch_id,
                pieces.c.shard == piece.shard,
                pieces.c.piece == piece.piece,
            )
            .values(**values)
        )

    def of_shard(self, batch_id: str, shard: int) -> list[PieceRecord]:
        with self._tx() as conn:
            rows = conn.execute(
                select(pieces)
                .where(
                    pieces.c.batch_id == batch_id,
                    pieces.c.shard == shard,
                    pieces.c.status != FALLBACK,
                )
                .order_by(pieces.c.piece)
            ).mappings()
            return [_record(r) for r in rows.all()]

    def of_batch(self, batch_id: str) -> list[PieceRecord]:
        with self._tx() as conn:
            rows = conn.execute(
                select(pieces)
                .where(pieces.c.batch_id == batch_id, pieces.c.status != FALLBACK)
                .order_by(pieces.c.shard, pieces.c.piece)
            ).mappings()
            return [_record(r) for r in rows.all()]

    def enqueued_tokens(self, model: str) -> int:
        """The estimated tokens of the model's pieces not yet finished upstream."""
        with self._tx() as conn:
            return self._enqueued(conn, model)

    def gauges(self) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
        """For /metrics: pieces by (model, status), and each model's enqueued tokens."""
        with self._tx() as conn:
            rows = conn.execute(
                select(
                    pieces.c.model,
                    pieces.c.status,
                    func.count(),
                    func.coalesce(func.sum(pieces.c.tokens), 0),
                )
                .where(pieces.c.status != FALLBACK)
                .group_by(pieces.c.model, pieces.c.status)
            ).all()
        counts = {(model, status): int(n) for model, status, n, _ in rows}
        enqueued: dict[str, int] = {}
        for model, status, _, tokens in rows:
            enqueued.setdefault(model, 0)
            if status in LIVE:
                enqueued[model] += int(tokens)
        return counts, enqueued

    def summary(self, batch_id: str) -> dict[str, Any]:
        """What a batch's extra fields show: pieces by status, the live ones' provider ids
        and upstream statuses, their estimated enqueued tokens, the lines the fallback model
        ran (and their usage), and the enqueued-token limit learned upstream.

        Read at every retrieve of the batch: the pieces' line lists (all of the batch's
        line numbers) are not read, only the fallback rows' counts of them, in SQL."""
        with self._tx() as conn:
            rows = conn.execute(
                select(
                    pieces.c.status,
                    pieces.c.provider_batch_id,
                    pieces.c.provider_status,
                    pieces.c.tokens,
                    pieces.c.model,
                ).where(pieces.c.batch_id == batch_id, pieces.c.status != FALLBACK)
            ).all()
            fallbacks = conn.execute(
                select(
                    func.json_array_length(pieces.c.lines), pieces.c.usage, pieces.c.model
                ).where(pieces.c.batch_id == batch_id, pieces.c.status == FALLBACK)
            ).all()
            models = {r[4] for r in rows} | {r[2] for r in fallbacks}
            learned = conn.execute(
                select(piece_limits.c.enqueued_tokens).where(piece_limits.c.model.in_(models))
            ).scalar()
        by_status: dict[str, int] = {}
        live = []
        tokens = 0
        for status, provider_id, provider_status, piece_tokens, _ in rows:
            by_status[status] = by_status.get(status, 0) + 1
            if status in LIVE:
                tokens += piece_tokens
                if provider_id:
                    live.append({"id": provider_id, "status": provider_status})
        used = Usage()
        for _, usage, _ in fallbacks:
            used.add(Usage(**(usage or {})))
        return {
            "total": len(rows),
            "by_status": by_status,
            "live": live,
            "enqueued_tokens": tokens,
            "learned_enqueued_tokens": None if learned is None else int(learned),
            "fallback": {
                "lines": sum(int(n or 0) for n, _, _ in fallbacks),
                "usage": {"input_tokens": used.input_tokens, "output_tokens": used.output_tokens},
            },
        }
