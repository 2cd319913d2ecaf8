"""The guarantee hall shows each after-sales case with its clock, its decisions and the refund
paid, as the ledger holds it (the hall's rules are the root's: ``order_rules()``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from anxin.application import load_policy, order_rules
from anxin.engine.processor import Engine
from anxin.guarantees.hall import load_hall
from anxin.store.sql import SqlStore

from .world import HOUR, PAID, Events, engine_on, ingest

CN = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CN)
EV = Events()
BOOK = load_policy("douyin")


def _hall(engine: Engine, now: dt.datetime) -> dict[str, object]:
    store = engine.store
    assert isinstance(store, SqlStore)
    hall = load_hall(store.engine, "O1", BOOK, now, [*order_rules()])
    (right,) = [r for r in hall.rights if r.node == "after_sales" and r.rule_id == "aftersales"]
    return {
        "status": right.status,
        "due": right.due_at,
        "decisions": [d["kind"] for d in right.decisions],
        "paid": [p["amount"] for p in right.payouts],
        "total": hall.compensation_total,
        "title": right.title.en,
    }


def test_the_hall_shows_the_case_clock_then_the_refund_granted_and_paid(tmp_path: Path) -> None:
    due = T0 + 48 * HOUR
    with engine_on("sqlite", BOOK, tmp_path) as engine:
        ingest(engine, [*EV.order(T0 - 10 * HOUR), EV.requested("A", T0)])
        running = _hall(engine, due)
        engine.tick(due)
        granted = _hall(engine, due + HOUR)
        ingest(engine, [EV.resolved("A", due + 2 * HOUR, "refunded", "system", PAID)])
        engine.tick(due + 2 * HOUR)
        paid = _hall(engine, due + 3 * HOUR)
    assert running == {
        "status": "in_force",
        "due": due,
        "decisions": [],
        "paid": [],
        "total": running["total"],  # other rights may have paid (the parcel stalls)
        "title": "The merchant answers your request by 10:00:00 on 25 November, or it is approved.",
    }
    assert (granted["status"], granted["decisions"], granted["paid"]) == (
        "breached",  # the merchant's silence broke its clock; the pack approved the refund
        ["refund_granted"],
        [],  # granted is not paid: nothing reached the consumer yet
    )
    assert (paid["status"], paid["decisions"], paid["paid"]) == (
        "compensated",
        ["refund_granted", "refund_paid"],
        [PAID],
    )
    total = paid["total"]
    assert isinstance(total, dict)
    assert total["amount"] >= PAID  # the order's total counts the refund paid with any payout
