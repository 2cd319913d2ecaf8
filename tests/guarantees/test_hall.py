"""The guarantee hall shows each right's clock and a status derived from facts and records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import create_key
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.domain.rights import Paid
from anxin.engine.processor import Engine
from anxin.guarantees.hall import OrderNotFound, build_hall, load_hall
from anxin.policy.pack import PolicyBook

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
DUE = dt.datetime(2026, 10, 6, 23, 59, 59, tzinfo=CST)  # next day 23:59:59
SECOND = dt.timedelta(seconds=1)


def order_events(
    oid: str, ship_at: dt.datetime | None, *, paid: bool = True, exempted: bool = False
) -> list[bytes]:
    money = ev.Money(30000, "CNY")
    item = ev.Item(sku="sku", quantity=1, unit_price=money)
    out: list[ev.Event] = [
        ev.OrderPlaced(id=f"{oid}-p", occurred_at=PAID, source="t", payload=ev.OrderPlacedPayload(
            order_id=oid, merchant_id="M1", consumer_id="C1", items=[item], amount=money)),
    ]  # fmt: skip
    if paid:
        paid_payload = ev.OrderPaidPayload(order_id=oid, amount_paid=money)
        out.append(ev.OrderPaid(id=f"{oid}-$", occurred_at=PAID, source="t", payload=paid_payload))
    if exempted:
        out.append(ev.OrderExempted(id=f"{oid}-x", occurred_at=PAID, source="platform",
            payload=ev.OrderExemptedPayload(order_id=oid, reason="consumer_abuse")))  # fmt: skip
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


HOUR = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("ship_at", "as_of", "tick", "status", "options"),
    [
        pytest.param(None, DUE, False, "in_force", {}, id="unshipped-exactly-at-due"),
        pytest.param(None, DUE + SECOND, False, "breached", {}, id="unshipped-one-second-after"),
        pytest.param(PAID + HOUR, DUE, False, "kept", {}, id="shipped-before-due-kept"),
        pytest.param(DUE, DUE + SECOND, False, "kept", {}, id="shipped-exactly-at-due-kept"),
        pytest.param(DUE + SECOND, DUE + SECOND, False, "breached", {}, id="shipped-1s-late"),
        pytest.param(None, DUE + 49 * HOUR, True, "compensated", {}, id="tier1-paid"),
        pytest.param(None, PAID, False, "pending", {"paid": False}, id="unpaid-pending"),
        pytest.param(None, DUE + SECOND, False, "exempt", {"exempted": True}, id="exempt-facts"),
        pytest.param(
            None, DUE + 49 * HOUR, True, "exempt", {"exempted": True}, id="exempt-decided"
        ),
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
    options: dict[str, bool],
) -> None:
    report = engine.ingest(list(enumerate(order_events("O1", ship_at, **options))), "test")
    assert report.rejected == 0
    if tick:
        engine.tick(as_of)
    hall = load_hall(sql_engine, "O1", book, as_of)
    (right,) = [r for r in hall.rights if r.right_id == "ship_by"]
    due = None if status == "pending" else DUE
    assert (right.right_id, right.status, right.due_at) == ("ship_by", status, due)
    assert right.kept_at == (ship_at if status == "kept" else None)
    if status == "compensated":
        # A next-day promise is in the <= 48 h class: tier 1 pays 1 % of 300.00 (min 2) = 3 yuan.
        assert right.compensation == {"amount": 300, "currency": "CNY"}
        assert hall.compensation_total == {"amount": 300, "currency": "CNY"}
        assert {d["kind"] for d in right.decisions} == {"breach"}
        assert all(d["explanation"]["rule_id"] == "late_shipment" for d in right.decisions)
        (payout,) = right.payouts
        assert payout["txn_key"] == "payout:order:O1:late_shipment:1"
        assert "You were paid ¥3.00 at 23:59:59 on 8 October" in right.explanation.en
        assert "已于10月8日23:59:59获赔¥3.00" in right.explanation.zh
    if status == "exempt":
        assert right.compensation is None
        assert "consumer abuse" in right.explanation.en
        assert "消费者恶意行为" in right.explanation.zh
        assert {d["kind"] for d in right.decisions} == ({"exempt"} if tick else set())


@pytest.mark.parametrize(
    ("ship_at", "as_of", "zh", "en"),
    [
        pytest.param(
            None, DUE,
            "尚未发货，时限为10月6日23:59:59。",
            "Not shipped yet; the deadline is 23:59:59 on 6 October.",
            id="in-force",
        ),
        pytest.param(
            DUE - 2 * HOUR, DUE,
            "已于10月6日21:59:59发货，未超时。",
            "Shipped at 21:59:59 on 6 October, in time.",
            id="kept",
        ),
        pytest.param(
            DUE + 30 * HOUR, DUE + 31 * HOUR,
            "于10月8日05:59:59发货，超时1天6小时。",
            "Shipped at 05:59:59 on 8 October, 1 day 6 hours late.",
            id="late-in-words",
        ),
    ],
)  # fmt: skip
def test_ship_by_is_said_in_plain_words(
    engine: Engine,
    sql_engine: sa.Engine,
    book: PolicyBook,
    ship_at: dt.datetime | None,
    as_of: dt.datetime,
    zh: str,
    en: str,
) -> None:
    ingest(engine, ("O1", ship_at))
    hall = load_hall(sql_engine, "O1", book, as_of)
    (right,) = [r for r in hall.rights if r.right_id == "ship_by"]
    assert right.title.en == (
        "Ships by 23:59:59 on 6 October; if it is still unshipped 48 hours after that,"
        " you receive ¥3.00."
    )
    assert right.title.zh == "商家须在10月6日23:59:59前发货；超时48小时仍未发货的，赔付¥3.00。"
    assert (right.explanation.zh, right.explanation.en) == (zh, en)
    # No timedelta str anywhere a person reads ("within 1 day, 0:00:00").
    for r in hall.rights:
        for text in (r.title.en, r.title.zh, r.explanation.en, r.explanation.zh):
            assert "day," not in text
            assert ", 0:" not in text


@pytest.mark.parametrize("ids", [("A_1", "AB1"), ("A%", "A%B"), ("A", "A:B")])
def test_each_order_shows_its_own_payouts_whatever_its_id(
    engine: Engine, sql_engine: sa.Engine, book: PolicyBook, ids: tuple[str, str]
) -> None:
    # One consumer, two late orders whose ids a LIKE pattern or a key prefix would confuse.
    ingest(engine, *((oid, None) for oid in ids))
    engine.tick(DUE + 49 * HOUR)
    for oid in ids:
        hall = load_hall(sql_engine, oid, book, DUE + 49 * HOUR)
        keys = [p["txn_key"] for r in hall.rights for p in r.payouts]
        assert keys == [f"payout:order:{oid}:late_shipment:1"]
        assert hall.compensation_total == {"amount": 300, "currency": "CNY"}
        decisions = [d["decision_id"] for r in hall.rights for d in r.decisions]
        assert sorted(decisions) == [f"order:{oid}:late_shipment:{t}" for t in (0, 1)]


def decision(decision_id: str, rule_id: str, kind: str = "breach") -> dict[str, Any]:
    return {
        "decision_id": decision_id,
        "rule_id": rule_id,
        "kind": kind,
        "decided_at": DUE,
        "policy": "douyin 2026-08-10",
        "explanation": {},
        "outcome": {"paid_as": "coupon"},
    }


def test_no_decision_or_payout_is_dropped_when_no_right_claims_it(book: PolicyBook) -> None:
    state = OrderState("O", consumer_id="C", currency="CNY")
    decisions = [
        decision("order:O:logistics:retired_timer:SF1", "logistics"),
        decision("order:O:someday_rule", "someday_rule", "exempt"),
    ]
    payouts = [
        Paid("payout:order:O:x", "order:O:logistics:retired_timer:SF1", Money(3500, "CNY"), DUE),
        Paid("payout:order:O:lost", "order:O:gone", Money(100, "CNY"), DUE),
    ]
    hall = build_hall(state, decisions, payouts, book, DUE + HOUR)
    shown = {r.right_id: r for r in hall.rights}
    retired = shown["logistics:retired_timer:SF1"]
    assert (retired.status, retired.compensation) == (
        "compensated",
        {"amount": 3500, "currency": "CNY"},
    )
    assert retired.title.en == "Parcel tracking: the platform made a decision"
    assert "You were paid ¥35.00 at 23:59:59 on 6 October" in retired.explanation.en
    assert shown["someday_rule"].status == "exempt"
    assert shown["lost"].compensation == {"amount": 100, "currency": "CNY"}
    assert hall.compensation_total == {"amount": 3600, "currency": "CNY"}


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
