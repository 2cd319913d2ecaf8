"""Rectified merchants before and after (issue 13's report): the service indicators of every
merchant given a rectification plan (整改) by a violation, over the days before its first plan
opened and the days after, from what anxin ingested (the score's flat facts), pooled over
merchants. Plans opened by a low score alone are counted, not compared.

Douyin reports that rectified merchants' consumer dissatisfaction fell 15.3 %; the simulator's
feedback (``--governance enforcement``) is what makes its merchants react, and the same world
without it is the control (``anxin simulate --governance none``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from anxin.clock import to_us
from anxin.policy.pack import PolicyBook
from anxin.store import schema as t

# Douyin e-commerce's published figure for rectified merchants (quoted in issue 13).
DOUYIN_DISSATISFACTION_CHANGE = -0.153
WINDOW_DAYS = 14


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _change(before: float | None, after: float | None) -> float | None:
    if before is None or after is None or before == 0:
        return None
    return round((after - before) / before, 4)


def first_plans(conn: sa.Connection) -> dict[str, dt.date]:
    """Each merchant's first plan opened by a violation (its measures), by opening day. Plans
    opened by a low score alone are left out: the simulator's merchants react to measures."""
    p = t.rectification_plans.c
    rows = conn.execute(
        sa.select(p.merchant_id, sa.func.min(p.opened_day))
        .where(p.cause.not_like("score:%"))
        .group_by(p.merchant_id)
    )
    return {str(m): dt.date.fromisoformat(str(day)) for m, day in rows}


def score_plans(conn: sa.Connection) -> int:
    p = t.rectification_plans.c
    query = sa.select(sa.func.count()).where(p.cause.like("score:%"))
    return int(conn.execute(query).scalar() or 0)


def _sums(conn: sa.Connection, merchant: str, lo_us: int, hi_us: int) -> dict[str, float]:
    c, o = t.score_chats.c, t.score_orders.c
    chats = conn.execute(
        sa.select(
            sa.func.count(c.rating),
            sa.func.sum(sa.case((c.rating <= 3, 1), else_=0)),
            sa.func.sum(sa.case((c.counted == 1, c.rounds), else_=0)),
            sa.func.sum(sa.case((c.counted == 1, c.response_seconds), else_=0)),
        ).where(c.merchant_id == merchant, c.started_at_us >= lo_us, c.started_at_us < hi_us)
    ).one()
    late = sa.and_(
        o.ship_by_us.is_not(None),
        sa.or_(o.shipped_at_us > o.ship_by_us, o.shipped_at_us.is_(None)),
        o.cancelled_at_us.is_(None),
    )
    orders = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.sum(sa.case((sa.and_(o.ship_by_us.is_not(None), o.cancelled_at_us.is_(None)),
                                 1), else_=0)),
            sa.func.sum(sa.case((late, 1), else_=0)),
            sa.func.sum(o.escalated),
            sa.func.sum(o.sought_help),
        ).where(o.merchant_id == merchant, o.valid == 1, o.paid_at_us >= lo_us,
                o.paid_at_us < hi_us)
    ).one()  # fmt: skip
    return {
        "rated": float(chats[0] or 0),
        "dissatisfied": float(chats[1] or 0),
        "rounds": float(chats[2] or 0),
        "response_seconds": float(chats[3] or 0),
        "orders": float(orders[0] or 0),
        "due": float(orders[1] or 0),
        "late": float(orders[2] or 0),
        "escalated": float(orders[3] or 0),
        "sought_help": float(orders[4] or 0),
    }


def _indicators(s: dict[str, float]) -> dict[str, float | None]:
    out = {
        "chat_dissatisfaction_rate": _ratio(s["dissatisfied"], s["rated"]),
        "chat_response_seconds": _ratio(s["response_seconds"], s["rounds"]),
        "late_shipment_rate": _ratio(s["late"], s["due"]),
        "escalation_rate": _ratio(s["escalated"], s["orders"]),
        "help_request_rate": _ratio(s["sought_help"], s["orders"]),
    }
    return {k: None if v is None else round(v, 4) for k, v in out.items()}


def rectified(
    sql: sa.Engine, book: PolicyBook, *, window_days: int = WINDOW_DAYS
) -> dict[str, Any]:
    """Pooled indicators of the rectified merchants, ``window_days`` before each one's first
    plan opened and ``window_days`` from the day after (clipped to the facts anxin holds)."""
    zone = book.latest.calendar.zone
    o = t.score_orders.c
    with sql.connect() as conn:
        empty = conn.execute(sa.select(sa.func.count()).select_from(t.score_orders)).scalar() == 0
    if empty:  # the score's facts are rebuilt by each score run; build them once if none ran
        from anxin.score.project import rebuild

        rebuild(sql, book)
    with sql.connect() as conn:
        last_us = conn.execute(sa.select(sa.func.max(o.paid_at_us))).scalar()
        plans = first_plans(conn)
        by_score = score_plans(conn)
        before = dict.fromkeys(_KEYS, 0.0)
        after = dict.fromkeys(_KEYS, 0.0)
        counted = 0
        for merchant, opened in sorted(plans.items()):
            start = dt.datetime.combine(opened, dt.time(), tzinfo=zone)
            lo = to_us(start - dt.timedelta(days=window_days))
            # The opening day itself is left out: the merchant is only starting to react.
            after_lo = to_us(start + dt.timedelta(days=1))
            hi = min(to_us(start + dt.timedelta(days=1 + window_days)), (last_us or 0) + 1)
            if hi <= after_lo:
                continue  # opened at the end of the facts: nothing after it yet
            b = _sums(conn, merchant, lo, to_us(start))
            a = _sums(conn, merchant, after_lo, hi)
            for k in _KEYS:
                before[k] += b[k]
                after[k] += a[k]
            counted += 1
    ib, ia = _indicators(before), _indicators(after)
    return {
        "rectified_merchants": len(plans),
        "compared_merchants": counted,
        "score_plans": by_score,
        "window_days": window_days,
        "before": ib,
        "after": ia,
        "change": {k: _change(ib[k], ia[k]) for k in ib},
        "chats_rated": {"before": int(before["rated"]), "after": int(after["rated"])},
        "douyin_published_dissatisfaction_change": DOUYIN_DISSATISFACTION_CHANGE,
    }


_KEYS = (
    "rated",
    "dissatisfied",
    "rounds",
    "response_seconds",
    "orders",
    "due",
    "late",
    "escalated",
    "sought_help",
)
