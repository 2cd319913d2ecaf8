"""The guarantee hall shows each right's clock and a status derived from facts and records."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import create_key
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.engine.processor import Engine
from anxin.guarantees.hall import OrderNotFound, load_hall
from anxin.policy.pack import PolicyBook

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
DUE = dt.datetime(2026, 10, 6, 23, 59, 59, tzinfo=CST)  # next day 23:59:59
SECOND = dt.timedelta(seconds=1)


def order_events(oid: str, ship_at: dt.datetime | None) -> list[bytes]:
    money = ev.Money(30000, "CNY")
    item = ev.Item(sku="sku", quantity=1, unit_price=money)
    out: list[ev.Event] = [
        ev.OrderPlaced(id=f"{oid}-p", occurred_at=PAID, source="t", payload=ev.OrderPlacedPayload(
            order_id=oid, merchant_id="M1", consumer_id="C1", items=[item], amount=money)),
        ev.OrderPaid(id=f"{oid}-$", occurred_at=PAID, source="t",
                     payload=ev.OrderPaidPayload(order_id=oid, amount_paid=money)),
    ]  # fmt: skip
    if ship_at is not None:
        out.append(ev.ShipmentCreated(id=f"{oid}-s", occurred_at=ship_at, source="t",
            payload=ev.ShipmentCreatedPayload(order_id=oid, shipment_id="S1", carrier="SF",
                                              tracking_number=f"SF-{oid}")))  # fmt: skip
        out.append(ev.TrackingScanned(id=f"{oid}-scan", occurred_at=ship_at, source="sf",
            payload=ev.TrackingScanPayload(carrier="SF", tracking_number=f"SF-{oid}",
                                           code="50", text="已揽收")))  # fmt: skip
    return [msgspec.json.encode(e) for e in out]


def ingest(engine: Engine, *orders: tuple[str, dt.datetime | None]) -> None:
    lines = [line for oid, ship in orders for line in order_events(oid, ship)]
    report = engine.ingest(list(enumerate(lines)), "test")
    assert report.rejected == 0


@pytest.mark.parametrize(
    ("ship_at", "as_of", "tick", "status"),
    [
        pytest.param(None, DUE, False, "in_force", id="unshipped-exactly-at-due"),
        pytest.param(None, DUE + SECOND, False, "breached", id="unshipped-one-second-after"),
        pytest.param(DUE, DUE + SECOND, False, "expired", id="shipped-exactly-at-due-kept"),
        pytest.param(DUE + SECOND, DUE + SECOND, False, "breached", id="shipped-1s-late"),
        pytest.param(None, DUE + dt.timedelta(hours=49), True, "compensated", id="tier1-paid"),
    ],
)
def test_ship_by_right_status(
    engine: Engine,
    sql_engine: sa.Engine,
    book: PolicyBook,
    ship_at: dt.datetime | None,
    as_of: dt.datetime,
    tick: bool,
    status: str,
) -> None:
    ingest(engine, ("O1", ship_at))
    if tick:
        engine.tick(as_of)
    hall = load_hall(sql_engine, "O1", book, as_of)
    (right,) = [r for r in hall.rights if r.right_id == "ship_by"]
    assert (right.right_id, right.status, right.due_at) == ("ship_by", status, DUE)
    if status == "compensated":
        # A next-day promise is in the <= 48 h class: tier 1 pays 1 % of 300.00 (min 2) = 3 yuan.
        assert right.compensation == {"amount": 300, "currency": "CNY"}
        assert hall.compensation_total == {"amount": 300, "currency": "CNY"}
        assert {d["kind"] for d in right.decisions} == {"breach"}
        assert all(d["explanation"]["rule_id"] == "late_shipment" for d in right.decisions)


def test_timeline_and_missing_order(
    engine: Engine, sql_engine: sa.Engine, book: PolicyBook
) -> None:
    ingest(engine, ("O2", PAID + dt.timedelta(hours=3)))
    hall = load_hall(sql_engine, "O2", book, DUE)
    assert [(s.carrier, s.text) for s in hall.timeline] == [("SF", "已揽收")]
    with pytest.raises(OrderNotFound):
        load_hall(sql_engine, "nope", book, DUE)


def test_api_needs_an_operator_key(db_url: str, sql_engine: sa.Engine) -> None:
    clock = FixedClock(DUE)
    app = create_app(db_url, clock=clock)
    operator = create_key(sql_engine, "ops", "operator", clock=clock)
    ingest_key = create_key(sql_engine, "feed", "ingest", clock=clock)
    with TestClient(app) as client:
        body = b'{"events": [' + b",".join(order_events("O3", None)) + b"]}"
        assert (
            client.post("/v1/events", content=body, headers={"X-API-Key": ingest_key}).json()[
                "accepted"
            ]
            == 2
        )
        assert client.get("/v1/orders/O3/guarantees").status_code == 401
        forbidden = client.get("/v1/orders/O3/guarantees", headers={"X-API-Key": ingest_key})
        assert forbidden.status_code == 403
        ok = client.get("/v1/orders/O3/guarantees", headers={"X-API-Key": operator})
        assert ok.status_code == 200
        assert ok.json()["rights"][0]["status"] == "in_force"
        missing = client.get("/v1/orders/zz/guarantees", headers={"X-API-Key": operator})
        assert missing.status_code == 404
