"""The pieces table: what an `openai-batch` shard recorded before each upstream call."""

from __future__ import annotations

import threading

from batchyard.records import Usage
from batchyard.store import Store
from batchyard.store.pieces import PieceRecord


def piece(n: int, lines: list[int], tokens: int, model: str = "m", shard: int = 0) -> PieceRecord:
    return PieceRecord("batch_a", shard, n, model, "recorded", lines, tokens, 1.0)


def test_a_piece_is_recorded_then_each_step_is_kept(store: Store) -> None:
    first = piece(1, [1, 2, 3], 30)
    assert store.pieces.reserve(first, None)
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
        assert store.pieces.reserve(p, None)
    assert store.pieces.enqueued_tokens("m") == 70
    store.pieces.update(pieces[0], status="finished")
    store.pieces.update(pieces[1], status="abandoned")
    assert store.pieces.enqueued_tokens("m") == 40
    assert store.pieces.enqueued_tokens("nobody") == 0
    counts, enqueued = store.pieces.gauges()
    assert counts[("m", "finished")] == 1 and counts[("m", "recorded")] == 1
    assert enqueued == {"m": 40, "other": 80}


def test_reserve_refuses_a_piece_past_the_limit_but_a_piece_alone_always_goes(
    store: Store,
) -> None:
    assert store.pieces.reserve(piece(1, [1], 500), 100)  # nothing else enqueued
    assert not store.pieces.reserve(piece(2, [2], 10), 100)
    assert [p.piece for p in store.pieces.of_shard("batch_a", 0)] == [1]
    (first,) = store.pieces.of_shard("batch_a", 0)
    store.pieces.update(first, status="finished")
    assert store.pieces.reserve(piece(2, [2], 60), 100)
    assert store.pieces.reserve(piece(3, [3], 40), 100)
    assert not store.pieces.reserve(piece(4, [4], 1), 100)


def test_a_refusal_teaches_a_lower_limit_that_every_reserve_then_keeps(store: Store) -> None:
    held, refused = piece(1, [1], 300), piece(2, [2], 200)
    assert store.pieces.reserve(held, None) and store.pieces.reserve(refused, None)
    assert store.pieces.learn_limit(refused, 5.0) == 300  # what was enqueued besides it
    assert refused.status == "refused" and store.pieces.enqueued_tokens("m") == 300
    assert store.pieces.learned_limits() == {"m": 300}
    assert not store.pieces.reserve(piece(3, [3], 1), None)  # the learned limit holds
    assert not store.pieces.reserve(piece(3, [3], 1), 1000)  # and wins over a higher one
    store.pieces.update(held, status="finished")
    alone = piece(3, [3], 200)
    assert store.pieces.reserve(alone, None)
    assert store.pieces.learn_limit(alone, 6.0) == 100  # refused alone: half of it
    assert store.pieces.learned_limits() == {"m": 100}
    assert store.pieces.summary("batch_a")["learned_enqueued_tokens"] == 100


def test_a_learned_limit_is_forgotten_once_old_so_a_raised_one_can_be_found(
    store: Store,
) -> None:
    held, refused = piece(1, [1], 300), piece(2, [2], 200)
    assert store.pieces.reserve(held, None) and store.pieces.reserve(refused, None)
    assert store.pieces.learn_limit(refused, 5.0) == 300
    assert not store.pieces.forget_limit("m", 5.0)  # learned at 5.0: not older than that
    assert not store.pieces.forget_limit("other", 100.0)
    assert store.pieces.learned_limits() == {"m": 300}
    assert not store.pieces.reserve(piece(3, [3], 1), 1000)
    assert store.pieces.forget_limit("m", 5.5)
    assert store.pieces.learned_limits() == {}
    assert store.pieces.summary("batch_a")["learned_enqueued_tokens"] is None
    assert store.pieces.reserve(piece(3, [3], 1), 1000)  # the configured limit again
    assert not store.pieces.reserve(piece(4, [4], 800), 1000)
    again = piece(5, [5], 100)
    assert store.pieces.reserve(again, None)
    assert store.pieces.learn_limit(again, 9.0) == 301  # a refusal teaches it anew
    assert store.pieces.learned_limits() == {"m": 301}


def test_the_fallback_row_counts_lines_and_usage_but_is_no_piece(store: Store) -> None:
    assert store.pieces.reserve(piece(1, [1, 2, 3], 30), None)
    store.pieces.record_fallback("batch_a", 0, "m", [2], Usage(5, 7), 1.0)
    store.pieces.record_fallback("batch_a", 0, "m", [2, 3], Usage(10, 14), 2.0)
    store.pieces.record_fallback("batch_a", 1, "m", [9], Usage(1, 1), 2.0)
    assert store.pieces.fallback_of("batch_a", 0) == ([2, 3], Usage(10, 14))
    assert store.pieces.fallback_of("batch_a", 2) == ([], Usage())
    summary = store.pieces.summary("batch_a")
    assert summary["total"] == 1 and summary["by_status"] == {"recorded": 1}
    assert summary["fallback"] == {
        "lines": 3,
        "usage": {"input_tokens": 11, "output_tokens": 15},
    }
    assert [p.piece for p in store.pieces.of_shard("batch_a", 0)] == [1]
    assert store.pieces.enqueued_tokens("m") == 30


def test_two_workers_reserving_at_once_never_pass_the_limit_together(store: Store) -> None:
    """Eight threads (each its own connection, as two workers would be) race for a budget of
    five pieces: exactly five are recorded."""
    start = threading.Barrier(8)
    taken: list[bool] = []

    def worker(shard: int) -> None:
        start.wait()
        for n in range(1, 4):
            taken.append(store.pieces.reserve(piece(n, [n], 10, shard=shard), 50))

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.pieces.enqueued_tokens("m") == 50
    assert taken.count(True) == 5
