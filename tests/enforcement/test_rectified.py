"""Rectified merchants before and after: the windows around each merchant's first plan (the
opening day left out, the facts' end clipping the after window), pooled over merchants, on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from anxin.application import load_policy
from anxin.clock import to_us
from anxin.enforcement.rectified import rectified
from anxin.store import schema as t
from anxin.store.database import make_engine
from anxin.store.migrate import upgrade

BOOK = load_policy("douyin")
ZONE = BOOK.latest.calendar.zone
OPENED = dt.date(2026, 10, 10)


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 10, 1, hour, minute, second, tzinfo=ZONE) + dt.timedelta(days=day - 1)


def chat(
    cid: str, merchant: str, started: dt.datetime, rating: int | None, seconds: int
) -> dict[str, Any]:
    return {"conversation_id": cid, "merchant_id": merchant, "started_at_us": to_us(started),
            "counted": 1, "rounds": 1, "response_seconds": seconds, "rating": rating}  # fmt: skip


def order(
    oid: str, merchant: str, paid: dt.datetime, *, late: bool = False, escalated: bool = False
) -> dict[str, Any]:
    due = paid + dt.timedelta(hours=48)
    shipped = due + dt.timedelta(hours=5 if late else -5)
    return {"order_id": oid, "merchant_id": merchant, "paid_at_us": to_us(paid), "valid": 1,
            "amount_paid": 100_00, "merchant_cancelled": 0, "ship_by_us": to_us(due),
            "shipped_at_us": to_us(shipped), "tracked": 1, "anomaly_or_fraud": 0,
            "logistics_finding": 0, "remote": 0, "sought_help": int(escalated),
            "escalated": int(escalated)}  # fmt: skip


def plan(merchant: str, opened: dt.date, n: int = 0, cause: str = "v") -> dict[str, Any]:
    return {"plan_id": f"{merchant}:x:{n}", "merchant_id": merchant,
            "opened_day": opened.isoformat(),
            "deadline_day": (opened + dt.timedelta(days=14)).isoformat(), "cause": cause,
            "status": "open", "targets": "[]", "progress": "{}", "closed_day": None}  # fmt: skip


@pytest.fixture
def sql(new_db_url: Callable[[], str]) -> sa.Engine:
    engine = make_engine(new_db_url())
    upgrade(engine)
    return engine


def test_windows_around_the_first_plan(sql: sa.Engine) -> None:
    chats = [
        chat("c0", "M1", at(9, 23, 59, 59), 1, 600),  # the last instant before: counted before
        chat("c1", "M1", at(1), 2, 300),  # 9 days before: before
        chat("c2", "M1", at(10, 12), 1, 900),  # the opening day: left out
        chat("c3", "M1", at(11), 5, 30),  # the first instant after: after
        chat("c4", "M1", at(20), 3, 60),  # after
        chat("c5", "M1", at(20, 1), 5, 30),  # after
        chat("c6", "M1", at(20, 2), None, 30),  # after, not rated
        chat("c7", "M2", at(11), 1, 900),  # another merchant without a plan
    ]
    orders = [
        order("o1", "M1", at(5), late=True),
        order("o2", "M1", at(6), late=True, escalated=True),
        order("o3", "M1", at(12)),
        order("o4", "M1", at(13), late=True),
        order("o5", "M1", at(14)),
        order("o6", "M1", at(15)),
        order("o7", "M1", at(20, 3)),  # the facts' last payment: the after window ends here
    ]
    with sql.begin() as conn:
        conn.execute(sa.insert(t.score_chats), chats)
        conn.execute(sa.insert(t.score_orders), orders)
        conn.execute(
            sa.insert(t.rectification_plans),
            [
                plan("M1", OPENED),
                plan("M1", OPENED + dt.timedelta(days=5), 1),
                # a plan for a low score alone: counted, not compared (M2's chats stay out)
                plan("M2", OPENED, cause="score:2026-10-09"),
            ],
        )
    got = rectified(sql, BOOK)
    assert got["rectified_merchants"] == 1
    assert got["compared_merchants"] == 1
    assert got["score_plans"] == 1
    assert got["chats_rated"] == {"before": 2, "after": 3}
    assert got["before"]["chat_dissatisfaction_rate"] == 1.0
    assert got["after"]["chat_dissatisfaction_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert got["change"]["chat_dissatisfaction_rate"] == pytest.approx(-0.6667, abs=1e-4)
    assert got["before"]["chat_response_seconds"] == 450
    assert got["after"]["chat_response_seconds"] == 37.5
    assert got["before"]["late_shipment_rate"] == 1.0
    assert got["after"]["late_shipment_rate"] == 0.2
    assert got["before"]["escalation_rate"] == 0.5
    assert got["after"]["escalation_rate"] == 0.0
    assert got["douyin_published_dissatisfaction_change"] == -0.153
    sql.dispose()


def test_a_plan_opened_at_the_end_of_the_facts_is_not_compared(sql: sa.Engine) -> None:
    with sql.begin() as conn:
        conn.execute(sa.insert(t.score_orders), [order("o1", "M1", at(9))])
        conn.execute(sa.insert(t.score_chats), [chat("c1", "M1", at(9), 1, 600)])
        conn.execute(sa.insert(t.rectification_plans), [plan("M1", OPENED)])
    got = rectified(sql, BOOK)
    assert got["rectified_merchants"] == 1
    assert got["compared_merchants"] == 0
    assert got["change"]["chat_dissatisfaction_rate"] is None
    sql.dispose()
