"""The one exception the CLI turns into a clean message; each step subclasses it."""

from __future__ import annotations

from typing import Any


class ToolkitError(Exception):
    """The user can fix this: the message says what and where (file:line where it can)."""


def require_pyarrow(why: str) -> tuple[Any, Any]:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ToolkitError(
            f"pyarrow is needed to {why}: pip install 'batchyard[parquet]'"
        ) from None
    return pyarrow, pyarrow.parquet
