"""Tmall's shared cap: one buyer, one seller, one payment day → payouts total ≤ 500, across
orders, on SQLite and PostgreSQL; replays and other batch cuts land on the same payouts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from anxin.application import load_policy, order_rules
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.contract.decode import encode_event
from anxin.engine.processor import Engine
from anxin.policy.pack import PolicyBook
from anxin.store.database import make_engine
from anxin.store.migrate import upgrade
from anxin.store.sql import SqlStore

CST = dt.timezone(dt.timedelta(hours=8))
DAY1 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=CST)
H = dt.timedelta(hours=1)
AFTER = dt.datetime(2026, 11, 1, tzinfo=CST)
BIG = ev.Money(amount=600_000, currency="CNY")  # 6,000.00: late 5 % → 50 (max); OOS 10 % → 500


@pytest.fixture(scope="module")
def tmall() -> PolicyBook:
    return load_policy("tmall")


def unshipped(order_id: str, paid: dt.datetime, consumer: str = "C") -> list[ev.Event]:
    return [
        ev.OrderPlaced(id=f"{order_id}-p", occurred_at=paid, source="t",
            payload=ev.OrderPlacedPayload(order_id=order_id, merchant_id="M",
                consumer_id=consumer, amount=BIG,
                items=[ev.Item(sku="s", quantity=1, unit_price=BIG)])),
        ev.OrderPaid(id=f"{order_id}-$", occurred_at=paid, source="t",
            payload=ev.OrderPaidPayload(order_id=order_id, amount_paid=BIG)),
    ]  # fmt: skip


def run(sql: sa.Engine, book: PolicyBook, batches: list[list[ev.Event]]) -> Engine:
    engine = Engine(SqlStore(sql), book, FixedClock(AFTER), rules=order_rules())
    for batch in batches:
        engine.ingest([(i, encode_event(e)) for i, e in enumerate(batch, 1)], "test")
    engine.tick(AFTER)
    return engine


def paid_to(sql: sa.Engine) -> dict[str, int]:
    with sql.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT account, sum(amount) FROM ledger_entries "
                "WHERE account LIKE 'consumer:%' GROUP BY account"
            )
        ).all()
    return {account: int(total) for account, total in rows}


def decisions(sql: sa.Engine) -> dict[str, dict[str, object]]:
    with sql.connect() as conn:
        rows = conn.execute(sa.text("SELECT decision_id, outcome FROM decisions")).all()
    return {d: json.loads(o) for d, o in rows}


def test_same_buyer_seller_and_payment_day_pay_at_most_500(
    sql_engine: sa.Engine, tmall: PolicyBook
) -> None:
    run(
        sql_engine,
        tmall,
        [
            unshipped("O1", DAY1) + unshipped("O2", DAY1 + 3 * H),
            unshipped("O3", DAY1 + 24 * H),  # paid the next day: a cap of its own
            unshipped("O4", DAY1, consumer="D"),  # another buyer
        ],
    )
    # uncapped each order pays 50 (late) + 500 (out of stock) = 550: even alone, it is cut
    assert paid_to(sql_engine) == {"consumer:C": 50_000 + 50_000, "consumer:D": 50_000}
    found = decisions(sql_engine)
    cut = {d: o["capped_by"] for d, o in found.items() if "capped_by" in o}
    # O1 and O2 are late together (50 + 50), then O1's out-of-stock 500 is cut to the 400
    # left and O2's to nothing; each cut decision says what it would have paid.
    assert {d: o["payout"]["amount"] for d, o in found.items() if d.startswith("order:O")} == {  # type: ignore[index]
        "order:O1:late_shipment:0": 5000,
        "order:O2:late_shipment:0": 5000,
        "order:O1:late_shipment:1": 40000,
        "order:O2:late_shipment:1": 0,
        "order:O3:late_shipment:0": 5000,
        "order:O3:late_shipment:1": 45000,
        "order:O4:late_shipment:0": 5000,
        "order:O4:late_shipment:1": 45000,
    }
    key = "buyer_seller_day:C:M:2026-10-05"
    assert cut["order:O3:late_shipment:1"]["cap"] == "buyer_seller_day:C:M:2026-10-06"
    assert cut.pop("order:O4:late_shipment:1")["cap"] == "buyer_seller_day:D:M:2026-10-05"
    assert cut.pop("order:O3:late_shipment:1")["before"] == {"amount": 50000, "currency": "CNY"}
    assert cut == {
        "order:O1:late_shipment:1": {
            "cap": key,
            "limit": {"amount": 50000, "currency": "CNY"},
            "before": {"amount": 50000, "currency": "CNY"},
        },
        "order:O2:late_shipment:1": {
            "cap": key,
            "limit": {"amount": 50000, "currency": "CNY"},
            "before": {"amount": 50000, "currency": "CNY"},
        },
    }
    with sql_engine.connect() as conn:
        compensations = conn.execute(
            sa.text("SELECT message_id, body FROM outbox WHERE topic = 'consumer.compensation'")
        ).all()
    amounts = {m: json.loads(b)["amount"]["amount"] for m, b in compensations}
    assert amounts["compensation:order:O1:late_shipment:1"] == 40000
    assert "compensation:order:O2:late_shipment:1" not in amounts  # nothing to hand over


def test_replays_and_batch_cuts_pay_the_same(new_db_url: object, tmall: PolicyBook) -> None:
    events = unshipped("O1", DAY1) + unshipped("O2", DAY1 + 3 * H) + unshipped("O5", DAY1 + H)
    outcomes = []
    for batches in ([events], [[e] for e in events], [events, events]):
        engine = make_engine(new_db_url())  # type: ignore[operator]
        upgrade(engine)
        run(engine, tmall, batches)
        engine_totals = paid_to(engine)
        again = Engine(SqlStore(engine), tmall, FixedClock(AFTER), rules=order_rules())
        again.tick(AFTER + 24 * H)  # nothing left to fire, nothing paid twice
        assert paid_to(engine) == engine_totals
        outcomes.append(engine_totals)
        engine.dispose()
    assert outcomes[0] == outcomes[1] == outcomes[2] == {"consumer:C": 50_000}
