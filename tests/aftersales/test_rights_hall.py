"""The after-sales rights in the guarantee hall, from the store: live clocks, a freight payout
shown on its right and in the ledger, every decision on exactly one right."""

from __future__ import annotations

import datetime as dt

import msgspec
import sqlalchemy as sa

from anxin.application import order_rules
from anxin.engine.processor import Engine
from anxin.guarantees.hall import load_hall
from anxin.policy.pack import PolicyBook
from tests.aftersales.rights_world import CST, DAY, HOUR, World

PAID = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CST)  # douyin 2025-09-29: every douyin right
SIGNED = PAID + 2 * DAY


def test_rights_in_the_hall(engine: Engine, sql_engine: sa.Engine, book: PolicyBook) -> None:
    w = World()  # only its event builders: the events go to the SQL engine
    events = [
        *w.order(PAID, lines=[("fruit", 10_000, 1, "生鲜")]),
        w.ship(PAID + HOUR),
        w.sign(SIGNED),
        w.request(SIGNED + HOUR, "return_refund", "logistics_damage", damaged_percent=40),
        w.return_shipped(SIGNED + DAY, freight=1800),
        w.resolved(SIGNED + 3 * DAY),
    ]
    report = engine.ingest([(i, msgspec.json.encode(e)) for i, e in enumerate(events)], "t")
    assert report.rejected == 0
    now = SIGNED + 4 * DAY
    hall = load_hall(sql_engine, "O1", book, now, order_rules())
    rights = {r.right_id: r for r in hall.rights}
    assert {k: (v.node, v.status) for k, v in rights.items() if v.rule_id in {
        "instant_refund", "no_reason_return", "return_freight", "damage_on_arrival", "counterfeit"
    }} == {
        "instant_refund": ("paid", "expired"),  # shipped: the standard flow
        "no_reason_return": ("after_sales", "expired"),  # fresh food is excluded
        "return_freight": ("after_sales", "compensated"),
        "damage_on_arrival": ("after_sales", "kept"),
        "counterfeit": ("after_sales", "in_force"),
    }  # fmt: skip
    freight = rights["return_freight"]
    assert freight.compensation == {"amount": 1800, "currency": "CNY"}
    assert [p["amount"] for p in freight.payouts] == [1800]
    assert "You were paid ¥18.00" in freight.explanation.en
    assert rights["no_reason_return"].explanation.en.startswith("Excluded: items in 生鲜")
    damage = rights["damage_on_arrival"]
    assert [d["kind"] for d in damage.decisions] == ["damage_tier"]
    assert hall.compensation_total == {"amount": 1800, "currency": "CNY"}
    shown = [d["decision_id"] for r in hall.rights for d in r.decisions]
    assert len(shown) == len(set(shown))


def test_live_clock_moves_with_now(engine: Engine, sql_engine: sa.Engine, book: PolicyBook) -> None:
    w = World()
    paid = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    events = [*w.order(paid), w.ship(paid + HOUR), w.sign(paid + 2 * DAY)]
    engine.ingest([(i, msgspec.json.encode(e)) for i, e in enumerate(events)], "t")
    deadline = dt.datetime(2026, 10, 14, 23, 59, 59, tzinfo=CST)  # signed 10-07

    def status(now: dt.datetime) -> str:
        hall = load_hall(sql_engine, "O1", book, now, order_rules())
        (right,) = [r for r in hall.rights if r.right_id == "no_reason_return"]
        assert right.due_at == deadline
        return right.status

    assert status(deadline) == "in_force"
    assert status(deadline + dt.timedelta(seconds=1)) == "expired"
