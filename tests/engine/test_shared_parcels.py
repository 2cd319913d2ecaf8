"""Cross-order parcel facts through the engine, on SQLite and PostgreSQL: a number shipped for
several orders (merged shipment vs. reused for another address) and cloned traces."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from anxin.contract import events as ev
from anxin.contract.decode import encode_event
from anxin.engine.processor import Engine

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
H = dt.timedelta(hours=1)
AFTER = dt.datetime(2026, 11, 1, tzinfo=CST)  # every clock has fired by then
MONEY = ev.Money(amount=30000, currency="CNY")


def order(order_id: str, consumer: str, city: str, number: str) -> list[ev.Event]:
    return [
        ev.OrderPlaced(id=f"{order_id}-p", occurred_at=PAID, source="t",
            payload=ev.OrderPlacedPayload(order_id=order_id, merchant_id="M",
                consumer_id=consumer, amount=MONEY,
                items=[ev.Item(sku="s", quantity=1, unit_price=MONEY)],
                destination=ev.Region(country="CN", province=city, city=city))),
        ev.OrderPaid(id=f"{order_id}-$", occurred_at=PAID, source="t",
            payload=ev.OrderPaidPayload(order_id=order_id, amount_paid=MONEY)),
        ev.ShipmentCreated(id=f"{order_id}-ship", occurred_at=PAID + H, source="t",
            payload=ev.ShipmentCreatedPayload(order_id=order_id, shipment_id=f"S-{order_id}",
                carrier="SF", tracking_number=number,
                origin=ev.Region(country="CN", province="上海"))),
    ]  # fmt: skip


TRACE = [
    ("已揽收", PAID + 2 * H),
    ("到达上海转运中心", PAID + 3 * H),
    ("离开上海转运中心，发往下一站", PAID + 4 * H),
    ("快递员正在派送", PAID + 20 * H),
    ("已签收，签收人：本人", PAID + 22 * H),
]


def scans(number: str, prefix: str, shift: dt.timedelta = dt.timedelta(0)) -> list[ev.Event]:
    return [
        ev.TrackingScanned(id=f"{prefix}-{i}", occurred_at=at + shift, source="sf",
            payload=ev.TrackingScanPayload(carrier="SF", tracking_number=number, text=text,
                                           location="上海"))
        for i, (text, at) in enumerate(TRACE)
    ]  # fmt: skip


def ingest(engine: Engine, events: list[ev.Event]) -> None:
    report = engine.ingest([(i, encode_event(e)) for i, e in enumerate(events, 1)], "test")
    assert report.rejected == 0, report.errors


def findings(sql: sa.Engine) -> dict[str, tuple[str, int]]:
    with sql.connect() as conn:
        rows = conn.execute(sa.text("SELECT decision_id, outcome FROM decisions")).all()
    return {
        decision_id: (
            json.loads(outcome).get("family", ""),
            json.loads(outcome)["payout"]["amount"],
        )
        for decision_id, outcome in rows
        if ":logistics:" in decision_id
    }


def test_one_consumers_orders_shipped_together_share_the_trace(
    engine: Engine, sql_engine: sa.Engine
) -> None:
    ingest(engine, order("O1", "C1", "北京", "SF1") + scans("SF1", "a")[:2])
    ingest(engine, order("O2", "C1", "北京", "SF1") + scans("SF1", "a")[2:])
    engine.tick(AFTER)
    assert findings(sql_engine) == {}  # no pickup timeout for O2: it has O1's scans
    with engine.store.transaction() as tx:
        orders = tx.load_orders(["O1", "O2"])
    assert [len(o.parcels[0].scans) for o in orders.values()] == [5, 5]
    assert {o.status for o in orders.values()} == {"delivered"}


def test_a_number_reused_for_another_address_is_a_fake_tracking_sign(
    engine: Engine, sql_engine: sa.Engine
) -> None:
    ingest(engine, order("O1", "C1", "北京", "SF1") + scans("SF1", "a"))
    ingest(engine, order("O2", "C2", "广州", "SF1"))
    engine.tick(AFTER)
    # O1's scans are not O2's: no pickup for O2 either. The sign shows at the upload, before
    # the pickup clocks run out, so it takes the anomaly family's one payout.
    assert findings(sql_engine) == {
        "order:O2:logistics:reused_number:SF1": ("trajectory_anomaly", 7500),
        "order:O2:logistics:pickup_timeout:SF1": ("trajectory_timeout", 300),
        "order:O2:logistics:pickup_anomaly:SF1": ("trajectory_anomaly", 0),
    }
    with engine.store.transaction() as tx:
        o2 = tx.load_orders(["O2"])["O2"]
    assert o2.parcels[0].scans == []
    assert o2.status == "shipped"


def test_a_cloned_trace_is_a_fake_tracking_sign(engine: Engine, sql_engine: sa.Engine) -> None:
    ingest(engine, order("O1", "C1", "北京", "SF1") + scans("SF1", "a"))
    # another consumer's parcel, another number, the very same trace to delivery
    ingest(engine, order("O2", "C2", "北京", "SF2") + scans("SF2", "b"))
    engine.tick(AFTER)
    assert findings(sql_engine) == {
        "order:O2:logistics:cloned_trace:SF2": ("trajectory_anomaly", 7500)
    }
    # in one batch too: of two identical traces, the first to reach its last leg is the original
    ingest(engine, order("O3", "C3", "北京", "SF3") + scans("SF3", "c", H)
           + order("O4", "C4", "北京", "SF4") + scans("SF4", "d", H))  # fmt: skip
    engine.tick(AFTER)
    found = findings(sql_engine)
    assert "order:O3:logistics:cloned_trace:SF3" not in found
    assert found["order:O4:logistics:cloned_trace:SF4"] == ("trajectory_anomaly", 7500)
