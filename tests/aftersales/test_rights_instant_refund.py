"""Refund before shipment (Douyin 未发货极速退款): eligible until a real tracking number, paid
amount within the category's limit, no excluded kind of item."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.aftersales.rights_world import CST, DAY, HOUR, SECOND, World

VERSIONS = [
    pytest.param(dt.datetime(2026, 3, 2, 10, 0, tzinfo=CST), id="douyin-2025-09-29"),
    pytest.param(dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST), id="douyin-2026-08-10"),
]


@pytest.mark.parametrize("paid", VERSIONS)
@pytest.mark.parametrize(
    ("amount", "category", "kind"),
    [
        pytest.param(800_000, "女装", "instant_refund_eligible", id="exactly-8000"),
        pytest.param(800_001, "女装", "instant_refund_ineligible", id="8000.01"),
        pytest.param(5_000_000, "投资金银", "instant_refund_eligible", id="gold-50000"),
        pytest.param(5_000_001, "投资金银", "instant_refund_ineligible", id="gold-50000.01"),
        pytest.param(1_000, "virtual", "instant_refund_ineligible", id="virtual"),
        pytest.param(1_000, "盲盒", "instant_refund_ineligible", id="blind-box"),
        pytest.param(1_000, "定制", "instant_refund_ineligible", id="custom-made"),
    ],
)
def test_eligibility(paid: dt.datetime, amount: int, category: str, kind: str) -> None:
    w = World()
    w.feed(*w.order(paid, amount, lines=[("s", amount, 1, category)]))
    w.feed(w.request(paid + HOUR, "refund_only", "changed_mind", amount=amount))
    (d,) = w.decisions("instant_refund")
    assert d.kind == kind
    assert d.outcome["why"]["en"]
    # The engine records the pack's eligibility; the refund itself leaves with anxin.refunds'
    # risk decision, the one sender of refund.instant_approved.
    assert w.outbox("refund.instant_approved") == []
    if kind == "instant_refund_eligible":
        assert d.outcome["amount"] == {"amount": amount, "currency": "CNY"}
        assert w.right("instant_refund", paid + DAY).status == "kept"


@pytest.mark.parametrize(
    ("asked", "decided"),
    [pytest.param(-SECOND, True, id="one-second-before-the-ship-click"),
     pytest.param(dt.timedelta(0), False, id="at-the-ship-click")],
)  # fmt: skip
def test_until_a_real_tracking_number(asked: dt.timedelta, decided: bool) -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    click = paid + 5 * HOUR
    w.feed(*w.order(paid))
    right = w.right("instant_refund", click)
    assert (right.node, right.status) == ("paid", "in_force")
    assert "Until the parcel ships, a refund request up to ¥8,000.00" in right.title.en
    w.feed(w.ship(click))  # the click arrives first; the request after it, dated before or at
    w.feed(w.request(click + asked, "refund_only", "changed_mind"))
    assert len(w.decisions("instant_refund")) == decided


def test_after_shipment_the_right_expires_and_returns_are_not_instant() -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    w.feed(*w.order(paid), w.ship(paid + HOUR))
    right = w.right("instant_refund", paid + 2 * HOUR)
    assert (right.status, right.due_at) == ("expired", paid + HOUR)
    w.feed(w.request(paid + 30 * 60 * SECOND, "return_refund", "changed_mind"))
    assert w.decisions("instant_refund") == []  # not a refund-only request


def test_not_offered_where_the_pack_disables_it() -> None:
    w, paid = World("amazon"), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    w.feed(*w.order(paid), w.request(paid + HOUR, "refund_only", "changed_mind"))
    assert w.rights("instant_refund", paid + HOUR) == []
    assert w.decisions("instant_refund") == []
