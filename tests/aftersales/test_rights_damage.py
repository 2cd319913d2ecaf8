"""Damage on arrival (Douyin fresh food, 2025-09-29 pack only): 48 h from signature, tiers
≤ 30 % → 30 %, 30-50 % → 50 %, > 50 % → 100 % of the items' paid amount (truncated)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.aftersales.rights_world import CST, DAY, HOUR, SECOND, Line, World

PAID = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CST)  # under douyin 2025-09-29
SIGNED = PAID + 2 * DAY
CLOSES = SIGNED + 48 * HOUR
FRESH: list[Line] = [("fruit", 10_000, 1, "生鲜")]


def fresh_order(
    w: World, paid: dt.datetime = PAID, lines: list = FRESH, amount: int = 10_000
) -> None:  # type: ignore[type-arg]
    w.feed(*w.order(paid, amount, lines=lines), w.ship(paid + HOUR), w.sign(paid + 2 * DAY))


@pytest.mark.parametrize(
    ("percent", "tier", "refund"),
    [
        pytest.param(1, 0, 3_000, id="1pct-tier-30"),
        pytest.param(30, 0, 3_000, id="30pct-tier-30"),
        pytest.param(31, 1, 5_000, id="31pct-tier-50"),
        pytest.param(50, 1, 5_000, id="50pct-tier-50"),
        pytest.param(51, 2, 10_000, id="51pct-tier-100"),
        pytest.param(100, 2, 10_000, id="100pct-tier-100"),
    ],
)
def test_tier_edges(percent: int, tier: int, refund: int) -> None:
    w = World()
    fresh_order(w)
    w.feed(w.request(SIGNED + HOUR, "refund_only", "logistics_damage", damaged_percent=percent))
    (d,) = w.decisions("damage_on_arrival")
    assert (d.kind, d.outcome["tier"], d.outcome["entitled"]["amount"]) == (
        "damage_tier", tier, refund,
    )  # fmt: skip
    (msg,) = w.outbox("aftersale.entitlement")
    assert msg.body["amount"] == {"amount": refund, "currency": "CNY"}
    assert msg.body["right"] == "damage_on_arrival"
    assert w.paid_to() == 0  # an entitlement, not a payout: the flow grants the refund


@pytest.mark.parametrize(
    ("late", "kind"),
    [pytest.param(dt.timedelta(0), "damage_tier", id="exactly-48h"),
     pytest.param(SECOND, "damage_window_closed", id="one-second-after")],
)  # fmt: skip
def test_claim_window(late: dt.timedelta, kind: str) -> None:
    w = World()
    fresh_order(w)
    right = w.right("damage_on_arrival", CLOSES + late)
    assert (right.due_at, right.status) == (CLOSES, "expired" if late else "in_force")
    w.feed(w.request(CLOSES + late, "refund_only", "logistics_damage", damaged_percent=40))
    assert [d.kind for d in w.decisions("damage_on_arrival")] == [kind]
    assert len(w.outbox("aftersale.entitlement")) == (0 if late else 1)


def test_truncated_and_shared_pro_rata() -> None:
    w = World()
    fresh_order(w, amount=9_999)
    w.feed(w.request(SIGNED, "refund_only", "logistics_damage", damaged_percent=10))
    (d,) = w.decisions("damage_on_arrival")
    assert d.outcome["entitled"]["amount"] == 2_999  # 30 % of 99.99 = 29.997: truncated
    w2 = World()
    lines = [("a", 6_000, 1, "生鲜"), ("b", 4_000, 1, "生鲜")]
    fresh_order(w2, lines=lines, amount=9_000)  # a coupon took 10.00 off the 100.00
    w2.feed(w2.request(SIGNED, "refund_only", "logistics_damage", skus=["a"], damaged_percent=40))
    (d2,) = w2.decisions("damage_on_arrival")
    assert d2.outcome["item_paid"]["amount"] == 5_400
    assert d2.outcome["entitled"]["amount"] == 2_700


def test_right_shows_the_tier_table_and_clock() -> None:
    w = World()
    w.feed(*w.order(PAID, lines=FRESH), w.ship(PAID + HOUR))
    assert w.right("damage_on_arrival", PAID + DAY).status == "pending"
    w.feed(w.sign(SIGNED))
    right = w.right("damage_on_arrival", SIGNED + HOUR)
    assert (right.node, right.status, right.due_at) == ("after_sales", "in_force", CLOSES)
    assert "up to 30% bad, 30% back; up to 50% bad, 50% back; more than 50% bad, 100% back" in (
        right.title.en
    )
    w.feed(w.request(SIGNED + HOUR, "refund_only", "logistics_damage", damaged_percent=20))
    assert w.right("damage_on_arrival", CLOSES + DAY).status == "kept"


def test_not_for_other_categories_nor_without_a_share() -> None:
    w = World()
    fresh_order(w, lines=[("t", 10_000, 1, "女装")])
    assert w.rights("damage_on_arrival", SIGNED) == []
    w.feed(w.request(SIGNED, "refund_only", "logistics_damage", damaged_percent=60))
    assert w.decisions("damage_on_arrival") == []
    w2 = World()
    fresh_order(w2)
    w2.feed(w2.request(SIGNED, "refund_only", "logistics_damage"))
    assert w2.decisions("damage_on_arrival") == []


def test_abolished_in_the_2026_08_10_pack() -> None:
    w = World()
    paid = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    fresh_order(w, paid=paid)
    assert w.rights("damage_on_arrival", paid + 3 * DAY) == []
    w.feed(w.request(paid + 3 * DAY, "refund_only", "logistics_damage", damaged_percent=60))
    assert w.decisions("damage_on_arrival") == []
