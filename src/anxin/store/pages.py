"""Read a table in pages by key, for projections that rebuild from the whole store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

CHUNK = 20_000


def pages(
    conn: sa.Connection,
    key: sa.ColumnElement[Any],
    value: sa.ColumnElement[Any],
    where: Any = None,
    size: int = CHUNK,
) -> Iterator[list[Any]]:
    """``value`` of the rows in pages ordered by ``key``: no server-side cursor stays open
    while the same transaction writes (PostgreSQL refuses that)."""
    last = None
    while True:
        query = sa.select(key, value).order_by(key).limit(size)
        if where is not None:
            query = query.where(where)
        if last is not None:
            query = query.where(key > last)
        page = conn.execute(query).all()
        if not page:
            return
        last = page[-1][0]
        yield [row[1] for row in page]
