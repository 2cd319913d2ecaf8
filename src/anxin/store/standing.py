"""Merchants' standing as the store holds it: the daily ``merchant_privileges`` rows and the
active ``measures`` in force over a span. Batch-shaped (one query per slice of merchants), for
the engine's ingest (``SqlTx.merchant_standing``) and the daily privilege run."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from anxin.domain.standing import Measure, MerchantStanding
from anxin.engine.ports import chunks
from anxin.store import schema as t


def measures_in_force(
    conn: sa.Connection, merchant_ids: Collection[str], since_us: int, until_us: int
) -> dict[str, list[Measure]]:
    """Each merchant's active measures in force at some instant of [since_us, until_us), any
    kind, by (start, id)."""
    m = t.measures.c
    out: dict[str, list[Measure]] = {}
    for part in chunks(sorted(merchant_ids)):
        q = sa.select(m.merchant_id, m.measure_id, m.kind, m.starts_at_us, m.ends_at_us).where(
            m.merchant_id.in_(part),
            m.status == "active",
            m.starts_at_us < until_us,
            sa.or_(m.ends_at_us.is_(None), m.ends_at_us > since_us),
        )
        for merchant, measure_id, kind, starts, ends in conn.execute(q):
            out.setdefault(merchant, []).append(Measure(measure_id, kind, starts, ends))
    for found in out.values():
        found.sort(key=lambda x: (x.starts_at_us, x.measure_id))
    return out


def merchant_standing(
    conn: sa.Connection,
    merchant_ids: Collection[str],
    privilege: str,
    since_us: int,
    until_us: int,
) -> dict[str, MerchantStanding]:
    """One entry per merchant asked: its row for ``privilege`` (if any) and its measures."""
    p = t.merchant_privileges.c
    rows: dict[str, tuple[bool, str]] = {}
    for part in chunks(sorted(merchant_ids)):
        q = sa.select(p.merchant_id, p.granted, p.since_day).where(
            p.merchant_id.in_(part), p.privilege == privilege
        )
        for merchant, granted, since_day in conn.execute(q):
            rows[merchant] = (bool(granted), since_day)
    measures = measures_in_force(conn, merchant_ids, since_us, until_us)
    out: dict[str, MerchantStanding] = {}
    for merchant in merchant_ids:
        row = rows.get(merchant)
        out[merchant] = MerchantStanding(
            merchant,
            privilege,
            None if row is None else row[0],
            None if row is None else row[1],
            measures.get(merchant, []),
        )
    return out
