"""Counts that read right: "1 error", "2 errors", "1,200 lines"."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and the noun that fits it, with thousands separators."""
    noun = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {noun}"
