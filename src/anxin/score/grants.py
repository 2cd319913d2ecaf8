"""The daily privilege run: evaluate every scored merchant, keep the current grants, and tell
the marketplace (outbox ``merchant.privilege_changed``) about each one that flipped, with the
conditions behind it. A measure that withdraws a privilege (pack ``withdrawn_by``) and is in
force at any instant of the day refuses it that day, and the message names the measure.
Re-running a day changes nothing and sends nothing twice."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.clock import to_us
from anxin.policy.pack import PolicyPack
from anxin.score import metrics
from anxin.score.engines import Source
from anxin.score.formula import MerchantScore
from anxin.score.privileges import PrivilegesConfig, Verdict, daily_facts, evaluate, transitions
from anxin.store import schema as t
from anxin.store.standing import measures_in_force

TOPIC = "merchant.privilege_changed"
CHUNK = 400  # keys per IN list (SQLite's bound-parameter limit)


def _yesterday(conn: sa.Connection, day: dt.date) -> dict[str, float]:
    s = t.merchant_scores.c
    rows = conn.execute(
        sa.select(s.merchant_id, s.score).where(s.day == (day - dt.timedelta(days=1)).isoformat())
    )
    return {m: float(score) for m, score in rows}


def _current(conn: sa.Connection) -> dict[str, dict[str, bool]]:
    p = t.merchant_privileges.c
    out: dict[str, dict[str, bool]] = {}
    for merchant, privilege, granted in conn.execute(
        sa.select(p.merchant_id, p.privilege, p.granted)
    ):
        out.setdefault(merchant, {})[privilege] = bool(granted)
    return out


def run_privileges(
    sql: sa.Engine,
    source: Source,
    scores: Sequence[MerchantScore],
    as_of: dt.datetime,
    pack: PolicyPack,
    industries: dict[str, str],
    valid_orders: dict[str, int],
) -> list[dict[str, Any]]:
    """Evaluate the day; returns the transitions (also written to the outbox)."""
    config: PrivilegesConfig | None = pack.rule("privileges")
    if config is None:
        return []
    as_of_us = to_us(as_of)
    day = pack.calendar.local(as_of).date()
    sums = metrics.collect(
        metrics.privilege_sums(source.orders, as_of_us, config.window_days),
        metrics.PRIVILEGE_COLUMNS,
    )
    changes: list[dict[str, Any]] = []
    zone = pack.calendar.zone
    day_start = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    following = day + dt.timedelta(days=1)
    day_end = dt.datetime(following.year, following.month, following.day, tzinfo=zone)
    with sql.begin() as conn:
        before = _yesterday(conn, day)
        granted = _current(conn)
        measures = (
            measures_in_force(
                conn, [s.merchant_id for s in scores], to_us(day_start), to_us(day_end)
            )
            if config.withdrawn_by
            else {}
        )
        rows, messages = [], []
        for s in scores:
            facts = daily_facts(
                s.score,
                s.stage == "formal",
                {d.dimension: d.score for d in s.dimensions},
                sums.get(s.merchant_id, {}),
                valid_orders.get(s.merchant_id, 0),
                industries.get(s.merchant_id, "") in config.large_item_industries,
                before.get(s.merchant_id),
            )
            verdicts = evaluate(facts, config, measures.get(s.merchant_id, ()))
            flipped = transitions(granted.get(s.merchant_id, {}), verdicts)
            for v in flipped:
                change = _change(s.merchant_id, day, v, pack)
                changes.append(change)
                messages.append(
                    {
                        "message_id": f"privilege:{s.merchant_id}:{v.privilege}:{day.isoformat()}",
                        "topic": TOPIC,
                        "aggregate_key": f"merchant:{s.merchant_id}",
                        "created_at_us": as_of_us,
                        "body": json.dumps(change, ensure_ascii=False, sort_keys=True),
                    }
                )
            since = {v.privilege for v in flipped}
            for v in verdicts.values():
                if v.privilege in since or v.privilege not in granted.get(s.merchant_id, {}):
                    rows.append(_row(s.merchant_id, day, v))
        if rows:
            p = t.merchant_privileges.c
            pair = sa.tuple_(p.merchant_id, p.privilege)
            for i in range(0, len(rows), CHUNK):
                keys = [(r["merchant_id"], r["privilege"]) for r in rows[i : i + CHUNK]]
                conn.execute(sa.delete(t.merchant_privileges).where(pair.in_(keys)))
            conn.execute(t.merchant_privileges.insert(), rows)
        if messages:
            sent: set[str] = set()
            for i in range(0, len(messages), CHUNK):
                ids = [m["message_id"] for m in messages[i : i + CHUNK]]
                known = sa.select(t.outbox.c.message_id).where(t.outbox.c.message_id.in_(ids))
                sent |= set(conn.execute(known).scalars().all())
            fresh = [m for m in messages if m["message_id"] not in sent]
            if fresh:
                conn.execute(t.outbox.insert(), fresh)
    return changes


def _row(merchant_id: str, day: dt.date, v: Verdict) -> dict[str, Any]:
    return {
        "merchant_id": merchant_id,
        "privilege": v.privilege,
        "granted": int(v.granted),
        "since_day": day.isoformat(),
        "reasons": json.dumps(msgspec.to_builtins(v.reasons), ensure_ascii=False),
    }


def _change(merchant_id: str, day: dt.date, v: Verdict, pack: PolicyPack) -> dict[str, Any]:
    held = [r for r in v.reasons if not r["held"]]
    return {
        "merchant_id": merchant_id,
        "privilege": v.privilege,
        "granted": v.granted,
        "day": day.isoformat(),
        "because": v.reasons if v.granted else held,
        "pack": pack.name,
        "version": pack.version,
    }
