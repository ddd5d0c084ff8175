"""Keyset pagination, as the list endpoints page: by `seq`, from the row an `after` id names."""

from __future__ import annotations

from sqlalchemy import Connection, Select, Table, select
from sqlalchemy.engine import RowMapping


def fetch_page(
    conn: Connection,
    query: Select[tuple[object, ...]],
    table: Table,
    project: str,
    *,
    after: str | None,
    limit: int,
    ascending: bool = False,
) -> tuple[list[RowMapping], bool]:
    """Up to `limit` rows of `query` after the row `after` names, and whether more follow.

    Newest first unless `ascending`. An `after` that names no row of `project` gives an
    empty page, as OpenAI answers a cursor it does not know.
    """
    seq = table.c.seq
    if after is not None and "\x00" in after:
        return [], False  # no id holds a NUL (and PostgreSQL refuses one in a query)
    if after is not None:
        start = conn.execute(
            select(seq).where(table.c.id == after, table.c.project == project)
        ).scalar()
        if start is None:
            return [], False
        query = query.where(seq > start if ascending else seq < start)
    order = seq.asc() if ascending else seq.desc()
    rows = conn.execute(query.order_by(order).limit(limit + 1)).mappings().all()
    return list(rows[:limit]), len(rows) > limit
