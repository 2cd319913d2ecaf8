"""Measures made concrete (money from the merchant's own sums, caps rounding down), lifted when
cured, and the appeal windows on the business calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from anxin.application import load_policy
from anxin.clock import from_us
from anxin.domain.money import Money
from anxin.enforcement.appeals import AppealRefused, decide_by, file_appeal, may_file
from anxin.enforcement.config import AppealRules, MeasureSpec, Rung
from anxin.enforcement.facts import Day, MerchantFacts
from anxin.enforcement.measures import impose
from anxin.enforcement.run import config_of, run
from anxin.enforcement.violations import Found
from anxin.store import schema as t

ZONE = load_policy("douyin").latest.calendar.zone
NOON = dt.datetime(2026, 9, 10, 12, tzinfo=ZONE)


def _found(day: dt.date) -> Found:
    return Found("M1", "fraud_shipping", "", day, "fraud_shipping", {"fraud_orders": 3})


@pytest.mark.parametrize(
    ("spec", "gmv", "expected"),
    [
        # 2 × the last 30 days' settlement, minimum 1,000 (§7.1)
        (
            MeasureSpec(kind="settlement_freeze", days=30, multiple=2, basis_days=30, minimum=1000),
            40_000,
            Money(100_000, "CNY"),
        ),
        (
            MeasureSpec(kind="settlement_freeze", days=30, multiple=2, basis_days=30, minimum=1000),
            60_000_00,
            Money(120_000_00, "CNY"),
        ),
        # 0.15 % of the week's GMV, 30..200 (§5.1), half-up in fen
        (
            MeasureSpec(
                kind="deposit_deduction",
                percent=0.15,
                basis="gmv",
                basis_days=7,
                minimum=30,
                maximum=200,
            ),
            3_000_000,
            Money(4_500, "CNY"),
        ),
        (
            MeasureSpec(
                kind="deposit_deduction",
                percent=0.15,
                basis="gmv",
                basis_days=7,
                minimum=30,
                maximum=200,
            ),
            3_000_333,
            Money(4_500, "CNY"),
        ),
        (
            MeasureSpec(
                kind="deposit_deduction",
                percent=0.15,
                basis="gmv",
                basis_days=7,
                minimum=30,
                maximum=200,
            ),
            3_000_334,
            Money(4_501, "CNY"),
        ),
        (
            MeasureSpec(
                kind="deposit_deduction",
                percent=0.15,
                basis="gmv",
                basis_days=7,
                minimum=30,
                maximum=200,
            ),
            1,
            Money(3_000, "CNY"),
        ),
        (MeasureSpec(kind="deposit_deduction", amount=500), 0, Money(50_000, "CNY")),
    ],
)
def test_money_from_the_merchants_own_sums(spec: MeasureSpec, gmv: int, expected: Money) -> None:
    day = dt.date(2026, 9, 9)
    m = MerchantFacts(days={day: Day(paid=1, gmv=gmv)})
    (imposed,) = impose(_found(day), 1, Rung(measures=[spec]), m, NOON, "CNY")
    assert imposed.amount == expected


def test_an_order_cap_share_of_the_daily_average_rounds_down_and_is_capped() -> None:
    spec = MeasureSpec(kind="order_cap", days=7, share=0.5, basis_days=30, maximum=500)
    assert spec.cap(Decimal(41)) == 20  # 20.5 → 20: a cap never grows by rounding
    assert spec.cap(Decimal(5000)) == 500
    day = dt.date(2026, 9, 9)
    m = MerchantFacts(days={day - dt.timedelta(days=i): Day(paid=41) for i in range(30)})
    (imposed,) = impose(_found(day), 5, Rung(measures=[spec]), m, NOON, "CNY")
    assert imposed.orders_per_day == 20
    assert imposed.ends_at == NOON + dt.timedelta(days=7)


def test_appeal_windows() -> None:
    notice = NOON
    by = notice + dt.timedelta(days=7)
    assert may_file(notice, by, by)
    assert not may_file(notice, by, by + dt.timedelta(seconds=1))
    cal = load_policy("douyin").latest.calendar
    # Filed on a Friday: five working days later is the next Friday, to its end.
    friday = dt.datetime(2026, 9, 11, 15, tzinfo=ZONE)
    due = decide_by(friday, AppealRules(file_within_days=7, decide_within_working_days=5), cal)
    assert due.date() == dt.date(2026, 9, 18)
    assert due.astimezone(ZONE).time() >= dt.time(23, 59, 59)
    # Across the National Day holiday (1-7 October 2026 in the calendar) the answer waits.
    before = dt.datetime(2026, 9, 30, 10, tzinfo=ZONE)
    later = decide_by(before, AppealRules(file_within_days=7, decide_within_working_days=5), cal)
    assert later.date() > dt.date(2026, 10, 7)


def test_a_zero_cap_lifts_the_day_after_the_overdue_orders_are_picked_up(
    sql_engine: sa.Engine,
) -> None:
    book = load_policy("douyin")
    config = config_of(book.latest)
    day = dt.date(2026, 9, 9)
    late = 300
    m = MerchantFacts(days={day: Day(due=1000, late=late)})
    m.overdue = [(day, None)] * late
    facts = {"M1": m}
    first = dt.datetime.combine(
        day + dt.timedelta(days=config.settle_days + 1), dt.time(1), tzinfo=ZONE
    )
    run(sql_engine, book, first, facts=facts)
    c = t.measures.c
    with sql_engine.connect() as conn:
        (cap,) = conn.execute(sa.select(t.measures).where(c.kind == "order_cap")).all()
    assert cap.amount == 0
    assert cap.lift == "cured"
    assert cap.status == "active"
    # The last overdue order is picked up at 15:00 the next day: the cap lifts at 00:00 after.
    picked = first + dt.timedelta(hours=14)
    m.overdue = [(day, picked - dt.timedelta(hours=1))] * (late - 1) + [(day, picked)]
    run(sql_engine, book, picked + dt.timedelta(hours=1), facts=facts)
    with sql_engine.connect() as conn:
        still = conn.execute(sa.select(t.measures.c.status).where(c.kind == "order_cap")).scalar()
    assert still == "active"  # the next day has not begun
    midnight = dt.datetime.combine(picked.date() + dt.timedelta(days=1), dt.time(0), tzinfo=ZONE)
    run(sql_engine, book, midnight + dt.timedelta(minutes=5), facts=facts)
    with sql_engine.connect() as conn:
        row = conn.execute(sa.select(t.measures).where(c.kind == "order_cap")).one()
        lifted = conn.execute(
            sa.select(t.outbox.c.body).where(t.outbox.c.topic == "enforcement.measure_lifted")
        ).scalar()
    assert row.status == "lifted"
    assert from_us(row.lifted_at_us) == midnight
    assert lifted is not None
    assert '"cured"' in lifted


def test_an_appeal_after_its_window_or_twice_is_refused(sql_engine: sa.Engine) -> None:
    book = load_policy("douyin")
    config = config_of(book.latest)
    day = dt.date(2026, 9, 9)
    facts = {"M1": MerchantFacts(days={day: Day(paid=30, fraud=3)})}
    now = dt.datetime.combine(
        day + dt.timedelta(days=config.settle_days + 1), dt.time(1), tzinfo=ZONE
    )
    run(sql_engine, book, now, facts=facts)
    vid = "M1:fraud_shipping:2026-09-09"
    with pytest.raises(AppealRefused, match="open from"):
        file_appeal(sql_engine, book, vid, "M1", "late", now + dt.timedelta(days=7, seconds=1))
    with pytest.raises(AppealRefused, match="no violation"):
        file_appeal(sql_engine, book, vid, "M2", "not mine", now)
    file_appeal(sql_engine, book, vid, "M1", "in time", now + dt.timedelta(days=7))
    with pytest.raises(AppealRefused, match="already has appeal"):
        file_appeal(sql_engine, book, vid, "M1", "again", now + dt.timedelta(days=7))
