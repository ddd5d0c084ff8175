"""Counts in messages read right in the singular (issue 20, item 7)."""

from __future__ import annotations

from batchyard.wording import counted


def test_one_is_singular_and_the_rest_plural() -> None:
    assert counted(1, "error") == "1 error"
    assert counted(0, "error") == "0 errors"
    assert counted(1200, "line") == "1,200 lines"
    assert counted(1, "batch", "batches") == "1 batch"
    assert counted(3, "batch", "batches") == "3 batches"
