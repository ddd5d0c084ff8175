"""Pieces: each provider batch an `openai-batch` model's shard was sent as.

A row is written before the upload and the create that make its upstream file
and batch, and each step's outcome is recorded after it, so a worker that dies
anywhere leaves a row saying what to look up upstream (by filename, by metadata)
instead of creating it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update

from batchyard.store.base import StoreBase
from batchyard.store.schema import pieces

LIVE = ("recorded", "uploaded", "creating", "created")


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

    def record(self, piece: PieceRecord) -> None:
        with self._tx() as conn:
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

    def update(self, piece: PieceRecord, **values: Any) -> None:
        """Record a step's outcome (status, file_id, provider ids) on the row and the record."""
        with self._tx() as conn:
            conn.execute(
                update(pieces)
                .where(
                    pieces.c.batch_id == piece.batch_id,
                    pieces.c.shard == piece.shard,
                    pieces.c.piece == piece.piece,
                )
                .values(**values)
            )
        for key, value in values.items():
            setattr(piece, key, value)

    def of_shard(self, batch_id: str, shard: int) -> list[PieceRecord]:
        with self._tx() as conn:
            rows = conn.execute(
                select(pieces)
                .where(pieces.c.batch_id == batch_id, pieces.c.shard == shard)
                .order_by(pieces.c.piece)
            ).mappings()
            return [_record(r) for r in rows.all()]

    def of_batch(self, batch_id: str) -> list[PieceRecord]:
        with self._tx() as conn:
            rows = conn.execute(
                select(pieces)
                .where(pieces.c.batch_id == batch_id)
                .order_by(pieces.c.shard, pieces.c.piece)
            ).mappings()
            return [_record(r) for r in rows.all()]

    def enqueued_tokens(self, model: str) -> int:
        """The estimated tokens of the model's pieces not yet finished upstream."""
        with self._tx() as conn:
            total = conn.execute(
                select(func.coalesce(func.sum(pieces.c.tokens), 0)).where(
                    pieces.c.model == model, pieces.c.status.in_(LIVE)
                )
            ).scalar()
        return int(total or 0)

    def summary(self, batch_id: str) -> dict[str, Any]:
        """What a batch's extra fields show: pieces by status, the live ones' provider ids
        and upstream statuses, and their estimated enqueued tokens."""
        with self._tx() as conn:
            rows = conn.execute(
                select(
                    pieces.c.status,
                    pieces.c.provider_batch_id,
                    pieces.c.provider_status,
                    pieces.c.tokens,
                ).where(pieces.c.batch_id == batch_id)
            ).all()
        by_status: dict[str, int] = {}
        live = []
        tokens = 0
        for status, provider_id, provider_status, piece_tokens in rows:
            by_status[status] = by_status.get(status, 0) + 1
            if status in LIVE:
                tokens += piece_tokens
                if provider_id:
                    live.append({"id": provider_id, "status": provider_status})
        return {"total": len(rows), "by_status": by_status, "live": live, "enqueued_tokens": tokens}
