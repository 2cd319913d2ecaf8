"""Writing read models on SQLite and PostgreSQL alike: insert-or-overwrite and
insert-if-new, in chunks (one statement per chunk, both dialects' ``ON CONFLICT``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

CHUNK = 2_000


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def upsert(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows, or overwrite every non-key column of those already there."""
    if not rows:
        return
    keys = [c.name for c in table.primary_key]
    ins = _insert(conn, table)
    update = {c: ins.excluded[c] for c in rows[0] if c not in keys}
    stmt = ins.on_conflict_do_update(index_elements=keys, set_=update)
    for i in range(0, len(rows), CHUNK):
        conn.execute(stmt, list(rows[i : i + CHUNK]))


def insert_new(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows whose key is not there yet; leave the others as they are."""
    if not rows:
        return
    stmt = _insert(conn, table).on_conflict_do_nothing()
    for i in range(0, len(rows), CHUNK):
        conn.execute(stmt, list(rows[i : i + CHUNK]))
