"""A merchant whose latest score is below the pack's line gets a rectification plan (once per
low score), tracked like the others (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from anxin.application import load_policy
from anxin.enforcement.facts import Day, MerchantFacts
from anxin.enforcement.run import config_of, run
from anxin.store import schema as t
from anxin.store.database import make_engine
from anxin.store.migrate import upgrade

BOOK = load_policy("douyin")
ZONE = BOOK.latest.calendar.zone
CONFIG = config_of(BOOK.latest)
LOW = dt.date(2026, 10, 2)


def _now(through: dt.date) -> dt.datetime:
    """The run whose last judged day is ``through``."""
    day = through + dt.timedelta(days=CONFIG.settle_days + 1)
    return dt.datetime.combine(day, dt.time(1), tzinfo=ZONE)


def _score(merchant: str, day: dt.date, score: str) -> dict[str, str]:
    return {"merchant_id": merchant, "day": day.isoformat(), "pack": "douyin",
            "pack_version": "2026-08-10", "engine": "sqlite", "stage": "formal",
            "score": score, "explanation": "{}"}  # fmt: skip


@pytest.fixture
def sql(new_db_url: Callable[[], str]) -> sa.Engine:
    engine = make_engine(new_db_url())
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(t.merchant_scores), [
            _score("M1", LOW - dt.timedelta(days=1), "70.0"),
            _score("M1", LOW, "59.99"),  # the latest: below 60
            _score("M2", LOW, "60.00"),  # exactly at the line: no plan
            _score("M3", LOW - dt.timedelta(days=1), "40.0"),
            _score("M3", LOW, "75.5"),  # recovered: its latest counts
            _score("M4", LOW + dt.timedelta(days=1), "30.0"),  # scored after the judged days
        ])  # fmt: skip
    return engine


def _plans(sql: sa.Engine) -> list[dict[str, object]]:
    with sql.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(t.rectification_plans))]


def _good(days: int) -> dict[str, MerchantFacts]:
    good = Day(due=40, late=1, rounds=20, response_seconds=20 * 30, responses=20, refusals=1)
    start = LOW + dt.timedelta(days=1)
    days_ = {start + dt.timedelta(days=i): good for i in range(days)}
    return {"M1": MerchantFacts(industry="apparel", days=days_)}


def test_a_score_below_the_line_opens_one_plan(sql: sa.Engine) -> None:
    report = run(sql, BOOK, _now(LOW), facts={})
    assert report.plans_opened == 1
    (plan,) = _plans(sql)
    assert plan["plan_id"] == "M1:score:2026-10-03"
    assert plan["cause"] == "score:2026-10-02"
    assert plan["deadline_day"] == "2026-10-17"  # the pack's 14 days
    assert [x["indicator"] for x in json.loads(str(plan["targets"]))] == [
        "late_rate", "average_response_seconds", "refusal_rate"]  # fmt: skip
    assert run(sql, BOOK, _now(LOW), facts={}).plans_opened == 0  # not twice
    with sql.connect() as conn:
        query = sa.select(t.outbox.c.body).where(t.outbox.c.topic == "enforcement.rectification")
        bodies = [json.loads(b) for (b,) in conn.execute(query)]
    assert len(bodies) == 1
    assert "体验分" in bodies[0]["notice"]["zh"]
    assert "experience score" in bodies[0]["notice"]["en"]
    sql.dispose()


def test_the_plan_completes_when_its_targets_hold_seven_days(sql: sa.Engine) -> None:
    run(sql, BOOK, _now(LOW), facts={})
    through = LOW + dt.timedelta(days=7)
    run(sql, BOOK, _now(through), facts=_good(6))
    plans = {p["merchant_id"]: p for p in _plans(sql)}
    assert plans["M1"]["status"] == "open"  # six good days so far
    assert plans["M4"]["cause"] == "score:2026-10-03"  # its low score is judged by now
    run(sql, BOOK, _now(through), facts=_good(7))
    plan = {p["merchant_id"]: p for p in _plans(sql)}["M1"]
    assert plan["status"] == "completed"
    assert plan["closed_day"] == "2026-10-09"
    sql.dispose()
