"""Counterfeit multiplier (anxin's choice mirroring WeChat's 假一赔三): 3× the item's paid
amount on top of the refund, when the platform upholds a counterfeit after-sale; once."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.aftersales.rights_world import CST, DAY, HOUR, World

PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)


def claim(w: World, *, decided_by: str = "platform", outcome: str = "refunded",
          reason: str = "counterfeit", aid: str = "A1") -> None:  # fmt: skip
    w.feed(
        w.request(PAID + 4 * DAY, "return_refund", reason, aid=aid),
        w.resolved(PAID + 9 * DAY, outcome, aid=aid, decided_by=decided_by, refund=10_000),
    )


@pytest.mark.parametrize("pack", ["douyin", "tmall"])
@pytest.mark.parametrize(
    ("decided_by", "outcome", "reason", "paid_out"),
    [
        pytest.param("platform", "refunded", "counterfeit", 30_000, id="upheld-3x"),
        pytest.param("merchant", "refunded", "counterfeit", 0, id="merchant-refund-proves-nothing"),
        pytest.param("platform", "refused", "counterfeit", 0, id="refused"),
        pytest.param("platform", "refunded", "quality", 0, id="other-reason"),
    ],
)
def test_paid_when_the_platform_upholds_it(
    pack: str, decided_by: str, outcome: str, reason: str, paid_out: int
) -> None:
    w = World(pack)
    w.feed(*w.order(PAID), w.ship(PAID + HOUR), w.sign(PAID + 2 * DAY))
    right = w.right("counterfeit", PAID + HOUR)
    assert (right.node, right.status) == ("after_sales", "in_force")
    assert "3× its price" in right.title.en
    claim(w, decided_by=decided_by, outcome=outcome, reason=reason)
    assert w.paid_to() == paid_out
    if paid_out:
        (d,) = w.decisions("counterfeit")
        assert d.outcome["multiplier"] == 3
        assert d.outcome["includes_refund"] is False
        assert w.store.balance("merchant:M1:deposit", "CNY") == -paid_out
        assert w.right("counterfeit", PAID + 10 * DAY).status == "breached"


def test_once_per_order_and_shared_pro_rata() -> None:
    w = World()
    lines = [("a", 6_000, 1, "女装"), ("b", 4_000, 1, "女装")]
    w.feed(*w.order(PAID, 9_000, lines=lines), w.ship(PAID + HOUR))
    w.feed(w.request(PAID + 4 * DAY, "return_refund", "counterfeit", aid="A1", skus=["b"]))
    w.feed(w.resolved(PAID + 9 * DAY, aid="A1", decided_by="platform"))
    claim(w, aid="A2")
    assert w.paid_to() == 3 * 3_600  # 3 × (90.00 × 40/100): the named item, once


def test_not_offered_by_amazon() -> None:
    w = World("amazon")
    w.feed(*w.order(PAID))
    assert w.rights("counterfeit", PAID + HOUR) == []
