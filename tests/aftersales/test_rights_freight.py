"""Return-freight insurance: 90-day claim window from the ship click, caps by parcel class,
once per order and per tracking number, paid at the resolution (within the pack's 72 h)."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.clock import to_us
from anxin.domain.standing import Measure
from tests.aftersales.rights_world import CST, DAY, HOUR, SECOND, World

VERSIONS = [
    pytest.param(dt.datetime(2026, 3, 2, 10, 0, tzinfo=CST), id="douyin-2025-09-29"),
    pytest.param(dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST), id="douyin-2026-08-10"),
]


def returned(
    w: World,
    paid: dt.datetime,
    asked: dt.datetime,
    *,
    oid: str = "O1",
    consumer: str = "C1",
    aid: str = "A1",
    kind: str = "return_refund",
    outcome: str = "refunded",
    freight: int | None = None,
    parcel_class: str = "small",
    tracking: str = "YT1",
    new_order: bool = True,
) -> dt.datetime:
    if new_order:
        w.feed(*w.order(paid, oid=oid, consumer=consumer), w.ship(paid + HOUR, oid=oid))
        w.feed(w.sign(paid + 2 * DAY, oid=oid))
    done = asked + 5 * DAY
    w.feed(
        w.request(asked, kind, "quality", oid=oid, aid=aid),
        w.return_shipped(asked + DAY, oid=oid, aid=aid, tracking=tracking, freight=freight,
                         parcel_class=parcel_class),
        w.resolved(done, outcome, oid=oid, aid=aid),
    )  # fmt: skip
    return done


@pytest.mark.parametrize("paid", VERSIONS)
@pytest.mark.parametrize(
    ("late", "pays"),
    [pytest.param(dt.timedelta(0), True, id="asked-exactly-at-day-90"),
     pytest.param(SECOND, False, id="asked-one-second-after")],
)  # fmt: skip
def test_claim_window_from_the_ship_click(
    paid: dt.datetime, late: dt.timedelta, pays: bool
) -> None:
    w = World()
    closes = paid + HOUR + 90 * DAY
    w.feed(*w.order(paid), w.ship(paid + HOUR), w.sign(paid + 2 * DAY))
    right = w.right("return_freight", closes + late)
    assert (right.due_at, right.status) == (closes, "expired" if late else "in_force")
    done = returned(w, paid, closes + late, new_order=False)
    assert w.paid_to() == (2400 if pays else 0)
    decisions = w.decisions("return_freight")
    assert [d.kind for d in decisions] == (["claim_paid"] if pays else [])
    if pays:
        (d,) = decisions
        assert d.decided_at == done  # paid at the resolution: within the 72 h
        assert d.outcome["pay_by"] == done + 72 * HOUR
        assert d.outcome["funded_by"] == "platform_fund"
        (msg,) = w.outbox("consumer.compensation")
        assert msg.body["amount"] == {"amount": 2400, "currency": "CNY"}


@pytest.mark.parametrize(
    ("parcel_class", "freight", "paid_out"),
    [
        pytest.param("small", None, 2400, id="small-no-fee-cap-24"),
        pytest.param("small", 2400, 2400, id="small-fee-at-cap"),
        pytest.param("small", 2401, 2400, id="small-fee-over-cap"),
        pytest.param("small", 1200, 1200, id="small-fee-under-cap"),
        pytest.param("upgraded", 5000, 5000, id="upgraded-fee-at-cap-50"),
        pytest.param("upgraded", 5001, 5000, id="upgraded-fee-over-cap"),
        pytest.param("large", 100_000, 100_000, id="large-fee-at-cap-1000"),
        pytest.param("large", 150_000, 100_000, id="large-fee-over-cap"),
    ],
)
def test_caps_by_parcel_class(parcel_class: str, freight: int | None, paid_out: int) -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    returned(w, paid, paid + 3 * DAY, freight=freight, parcel_class=parcel_class)
    assert w.paid_to() == paid_out
    (d,) = w.decisions("return_freight")
    assert d.outcome["payout"]["amount"] == paid_out


@pytest.mark.parametrize(
    ("kind", "outcome", "pays"),
    [
        pytest.param("return_refund", "refunded", True, id="return-refunded"),
        pytest.param("exchange", "exchanged", True, id="exchange-exchanged"),
        pytest.param("return_refund", "refused", False, id="refused"),
        pytest.param("refund_only", "refunded", False, id="refund-only-nothing-returned"),
    ],
)
def test_only_a_return_or_exchange_that_succeeded(kind: str, outcome: str, pays: bool) -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    returned(w, paid, paid + 3 * DAY, kind=kind, outcome=outcome)
    assert w.paid_to() == (2400 if pays else 0)


def test_one_claim_per_order() -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    returned(w, paid, paid + 3 * DAY, aid="A1", tracking="YT1")
    returned(w, paid, paid + 20 * DAY, aid="A2", tracking="YT2", new_order=False)
    assert w.paid_to() == 2400
    assert len(w.decisions("return_freight")) == 1


def test_one_claim_per_tracking_number_across_orders() -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    returned(w, paid, paid + 3 * DAY, oid="O1", consumer="C1", tracking="YT-same", freight=1000)
    returned(w, paid, paid + 4 * DAY, oid="O2", consumer="C2", tracking="YT-same", freight=1000)
    assert (w.paid_to("C1"), w.paid_to("C2")) == (1000, 0)
    (second,) = w.decisions("return_freight", "O2")
    assert second.outcome["payout"]["amount"] == 0  # the number's one claim was used
    returned(w, paid, paid + 4 * DAY, oid="O3", consumer="C3", tracking="YT-other", freight=1000)
    assert w.paid_to("C3") == 1000


def test_replayed_resolution_pays_once() -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    done = returned(w, paid, paid + 3 * DAY)
    w.feed(w.resolved(done))  # the same event again: absorbed
    assert w.paid_to() == 2400


def test_right_lifecycle() -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    w.feed(*w.order(paid))
    assert w.right("return_freight", paid + HOUR).status == "pending"
    w.feed(w.ship(paid + HOUR))
    assert w.right("return_freight", paid + DAY).status == "in_force"
    done = returned(w, paid, paid + 3 * DAY, new_order=False)
    right = w.right("return_freight", done + HOUR)
    assert (right.status, right.due_at) == ("kept", done + 72 * HOUR)
    assert "Return-freight insurance" in right.title.en
    assert "¥24.00" in right.title.en


@pytest.mark.parametrize("pack", ["tmall", "amazon"])
def test_not_offered_where_the_reference_is_silent(pack: str) -> None:
    w = World(pack)
    paid = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    returned(w, paid, paid + 3 * DAY)
    assert w.rights("return_freight", paid + 3 * DAY) == []
    assert w.decisions("return_freight") == []


PLACED = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)


@pytest.mark.parametrize(
    ("kind", "starts", "ends", "status", "granted", "withdrawn_by"),
    [
        pytest.param(None, None, None, "active", None, [], id="no-standing-insured"),
        pytest.param("suspension", -DAY, DAY, "active", None, ["suspension"], id="suspended"),
        pytest.param("suspension", -DAY, None, "active", None, ["suspension"], id="until-lifted"),
        pytest.param("suspension", SECOND, None, "active", None, [], id="starts-after-placement"),
        pytest.param("suspension", -DAY, 0 * SECOND, "active", None, [], id="ended-at-placement"),
        pytest.param("suspension", -DAY, DAY, "reverted", None, [], id="reverted-on-appeal"),
        pytest.param("warning", -DAY, DAY, "active", None, [], id="warning-withdraws-nothing"),
        pytest.param(None, None, None, "active", False, ["grant_refused"], id="grant-refused"),
        pytest.param(None, None, None, "active", True, [], id="granted"),
    ],
)  # fmt: skip
def test_insurance_is_attached_at_purchase_unless_the_merchant_lost_it(
    kind: str | None,
    starts: dt.timedelta | None,
    ends: dt.timedelta | None,
    status: str,
    granted: bool | None,
    withdrawn_by: list[str],
) -> None:
    """Enforcement withdraws the freight-insurance privilege (the pack's ``withdrawn_by``; a
    refused daily grant too): an order placed while it is withdrawn is not insured, whatever
    happens later; one placed before or after is."""
    w = World()
    if kind is not None:
        assert starts is not None
        measure = Measure("ms-1", kind, to_us(PLACED + starts),
                          None if ends is None else to_us(PLACED + ends))  # fmt: skip
        w.store.set_measure("M1", measure, status)
    if granted is not None:
        w.store.set_privilege("M1", "freight_insurance", granted, "2026-10-01")
    returned(w, PLACED, PLACED + 3 * DAY)
    assert w.paid_to() == (0 if withdrawn_by else 2400)
    assert len(w.decisions("return_freight")) == (0 if withdrawn_by else 1)
    right = w.right("return_freight", PLACED + 4 * DAY)
    if withdrawn_by:
        assert right.status == "expired"
        assert right.facts["withdrawn_by"] == withdrawn_by
        assert "not insured" in right.explanation.en
    else:
        assert "withdrawn_by" not in right.facts
