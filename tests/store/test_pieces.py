"""The pieces table: what an `openai-batch` shard recorded before each upstream call."""

from __future__ import annotations

from batchyard.store import Store
from batchyard.store.pieces import PieceRecord


def piece(n: int, lines: list[int], tokens: int, model: str = "m") -> PieceRecord:
    return PieceRecord("batch_a", 0, n, model, "recorded", lines, tokens, 1.0)


def test_a_piece_is_recorded_then_each_step_is_kept(store: Store) -> None:
    first = piece(1, [1, 2, 3], 30)
    store.pieces.record(first)
    store.pieces.update(first, status="uploaded", file_id="file-1")
    store.pieces.update(
        first, status="created", provider_batch_id="batch_up", provider_status="validating"
    )
    (again,) = store.pieces.of_shard("batch_a", 0)
    assert again == first
    assert again.lines == [1, 2, 3] and again.provider_batch_id == "batch_up" and again.live
    assert store.pieces.of_batch("batch_a") == [first]
    assert store.pieces.of_shard("batch_a", 1) == []


def test_enqueued_tokens_count_only_live_pieces_of_the_model(store: Store) -> None:
    pieces = [piece(1, [1], 10), piece(2, [2], 20), piece(3, [3], 40), piece(4, [4], 80, "other")]
    for p in pieces:
        store.pieces.record(p)
    assert store.pieces.enqueued_tokens("m") == 70
    store.pieces.update(pieces[0], status="finished")
    store.pieces.update(pieces[1], status="abandoned")
    assert store.pieces.enqueued_tokens("m") == 40
    assert store.pieces.enqueued_tokens("nobody") == 0
