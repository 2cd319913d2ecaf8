"""Leases: one holder at a time for a singleton job, by name, until an expiry instant.

``acquire`` is a single upsert (``INSERT … ON CONFLICT DO UPDATE … WHERE``) that takes the
lease when it is free, expired or already ours, and renews it; atomic on SQLite and PostgreSQL
without an explicit lock. A holder that dies stops renewing, and the lease passes on once it
expires; a holder that stops cleanly ``release``s it so a successor need not wait.
"""

from __future__ import annotations

import sqlalchemy as sa

from anxin.store import schema as t

_ACQUIRE = sa.text(
    "INSERT INTO leases (name, holder, expires_at_us) VALUES (:name, :holder, :until)"
    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
    " expires_at_us = excluded.expires_at_us"
    " WHERE leases.holder = excluded.holder OR leases.expires_at_us <= :now"
)


def acquire(sql: sa.Engine, name: str, holder: str, now_us: int, ttl_us: int) -> bool:
    """Take or renew ``name`` for ``holder`` until ``now_us + ttl_us``; False when another
    holder's lease is still live."""
    with sql.begin() as conn:
        result = conn.execute(
            _ACQUIRE, {"name": name, "holder": holder, "until": now_us + ttl_us, "now": now_us}
        )
    return int(result.rowcount) == 1


def release(sql: sa.Engine, name: str, holder: str) -> bool:
    c = t.leases.c
    with sql.begin() as conn:
        result = conn.execute(sa.delete(t.leases).where(c.name == name, c.holder == holder))
    return int(result.rowcount) == 1


def holder(sql: sa.Engine, name: str) -> tuple[str, int] | None:
    c = t.leases.c
    with sql.connect() as conn:
        row = conn.execute(sa.select(c.holder, c.expires_at_us).where(c.name == name)).first()
    return None if row is None else (row[0], int(row[1]))
