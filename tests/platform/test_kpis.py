"""The KPI formulas at their boundaries, table-driven: each case is one unit's numerator and
denominator for one KPI (absent: it does not count), then the sums over days and merchants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from anxin.platform import kpis
from anxin.platform.kpis import BY_KEY, ChatFact, ListingFact, OrderFact, PayoutFact, Thresholds
from anxin.platform.policy import diff, rules_of
from anxin.platform.scores import BINS, Scored, bin_of, distribution

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2026, 10, 4, 23, 30, tzinfo=CST)
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)
TH = Thresholds(ship_within_hours=48, low_star_max=2, dissatisfied_max_stars=3)


def order(**kw: object) -> OrderFact:
    return OrderFact("O1", "M1", PAID, **kw)  # type: ignore[arg-type]


ORDER_CASES = [
    # (label, order, kpi, expected (num, den) or None when it does not count)
    (
        "shipped at exactly 48 h counts",
        order(shipped_at=PAID + 48 * H),
        "shipped_within_share",
        (1, 1),
    ),
    (
        "one second after 48 h does not",
        order(shipped_at=PAID + 48 * H + S),
        "shipped_within_share",
        (0, 1),
    ),
    (
        "one microsecond after 48 h does not",
        order(shipped_at=PAID + 48 * H + dt.timedelta(microseconds=1)),
        "shipped_within_share",
        (0, 1),
    ),
    ("not shipped yet misses", order(), "shipped_within_share", (0, 1)),
    (
        "cancelled unshipped leaves the denominator",
        order(cancelled_unshipped=True),
        "shipped_within_share",
        None,
    ),
    (
        "delivered after 73.5 h",
        order(delivered_at=PAID + 73 * H + 30 * 60 * S),
        "avg_delivery_hours",
        (73.5, 1),
    ),
    ("not delivered does not count", order(shipped_at=PAID + H), "avg_delivery_hours", None),
    ("a help request", order(logistics_help=True), "logistics_help_per_1000", (1, 1)),
    ("every paid order is in the help denominator", order(), "logistics_help_per_1000", (0, 1)),
    (
        "content order rated 2★ is negative",
        order(content_driven=True, stars=2),
        "content_negative_share",
        (1, 1),
    ),
    (
        "content order rated 3★ is not",
        order(content_driven=True, stars=3),
        "content_negative_share",
        (0, 1),
    ),
    (
        "content order not rated does not count",
        order(content_driven=True),
        "content_negative_share",
        None,
    ),
    ("shelf order rated 1★ does not count", order(stars=1), "content_negative_share", None),
    ("two requests, one instant", order(requests=2, instant=1), "instant_refund_coverage", (1, 2)),
    ("no request does not count", order(), "instant_refund_coverage", None),
    (
        "instant refund lost",
        order(instant_amount=500, instant_lost=500),
        "instant_refund_loss_rate",
        (500, 500),
    ),
    ("instant refund kept", order(instant_amount=500), "instant_refund_loss_rate", (0, 500)),
]


@pytest.mark.parametrize(
    ("label", "fact", "key", "expected"), ORDER_CASES, ids=[c[0] for c in ORDER_CASES]
)
def test_order_formulas(
    label: str, fact: OrderFact, key: str, expected: tuple[float, float] | None
) -> None:
    assert kpis.order_parts(fact, TH).get(key) == expected, label


def chat(
    counted: bool = True, rounds: int = 2, seconds: int = 90, stars: int | None = None
) -> ChatFact:
    return ChatFact("C1", "M1", PAID, counted, rounds, seconds, stars)


CHAT_CASES = [
    ("reply seconds over rounds", chat(), "response_seconds", (90, 2)),
    (
        "outside the service window does not count",
        chat(counted=False, stars=1),
        "response_seconds",
        None,
    ),
    ("no rounds does not count", chat(rounds=0, seconds=0), "response_seconds", None),
    ("3★ is dissatisfied", chat(stars=3), "dissatisfaction_share", (1, 1)),
    ("4★ is not", chat(stars=4), "dissatisfaction_share", (0, 1)),
    ("not rated does not count", chat(), "dissatisfaction_share", None),
]


@pytest.mark.parametrize(
    ("label", "fact", "key", "expected"), CHAT_CASES, ids=[c[0] for c in CHAT_CASES]
)
def test_chat_formulas(
    label: str, fact: ChatFact, key: str, expected: tuple[float, float] | None
) -> None:
    assert kpis.chat_parts(fact, TH).get(key) == expected, label


def test_the_hours_come_from_the_pack() -> None:
    late = order(shipped_at=PAID + 30 * H)
    assert kpis.order_parts(late, Thresholds(ship_within_hours=24)).get("shipped_within_share") == (
        0,
        1,
    )
    assert kpis.order_parts(late, TH).get("shipped_within_share") == (1, 1)


def _world() -> list[kpis.Row]:
    day = dt.timedelta(days=1)
    orders = [
        OrderFact("A", "M1", PAID, shipped_at=PAID + 10 * H),  # day 10-04, in time
        OrderFact("B", "M2", PAID, shipped_at=PAID + 50 * H),  # 10-04, late
        OrderFact("C", "M1", PAID + day, shipped_at=PAID + day + 49 * H),  # 10-05, late
        OrderFact("D", "M1", PAID + 3 * day, shipped_at=PAID + 3 * day + H),  # 10-07, in time
    ]
    payouts = [
        PayoutFact(
            "payout:order:B:late", "M2", "B", PAID + day, "late", "merchant_deposit", 300, "CNY"
        ),
        PayoutFact(
            "payout:order:C:late", "M1", "C", PAID + 3 * day, "freight", "platform_fund", 100, "CNY"
        ),
    ]
    listings = [ListingFact("L1", "M1", PAID, "intercept"), ListingFact("L2", "M1", PAID, "pass")]
    return kpis.rows(orders, [], payouts, listings, CST, TH)


def test_days_are_local_and_gaps_are_kept() -> None:
    rows = _world()
    assert {r.day for r in rows if r.unit == "order"} == {
        dt.date(2026, 10, 4),
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 7),
    }
    series = kpis.daily(rows)["shipped_within_share"]
    assert [d["day"] for d in series] == ["2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"]
    assert [d["value"] for d in series] == [0.5, 0.0, None, 1.0]


def test_before_and_after_split_on_the_split_day() -> None:
    rows = _world()
    cmp = kpis.compare(rows, dt.date(2026, 10, 5))["shipped_within_share"]
    assert cmp["before"]["value"] == 0.5
    assert cmp["before"]["den"] == 2
    assert cmp["after"]["value"] == 0.5
    assert cmp["after"]["den"] == 2
    assert cmp["change"] == 0.0
    paid = kpis.compare(rows, dt.date(2026, 10, 6))["compensation_paid"]
    # A total is a mean per day: ¥3.00 over 10-04..10-05 (2 days), ¥1.00 over 10-06..10-07.
    assert paid["before"]["value"] == 1.5
    assert paid["after"]["value"] == 0.5


def test_merchants_numerator_and_breakdowns() -> None:
    rows = _world()
    kpi = BY_KEY["shipped_within_share"]
    assert kpis.by_merchant(rows, kpi)[0] == {
        "merchant_id": "M1",
        "value": 0.6667,
        "num": 2.0,
        "den": 3.0,
        "units": 3,
    }
    assert [r.id for r in kpis.numerator(rows, kpi)] == ["A", "D"]
    assert [r.id for r in kpis.numerator(rows, kpi, rest=True)] == ["B", "C"]
    assert [r.id for r in kpis.numerator(rows, kpi, merchant_id="M2", rest=True)] == ["B"]
    by = kpis.breakdown(rows, "funder")
    assert by == [
        {"funder": "merchant_deposit", "currency": "CNY", "payouts": 1, "amount": 300},
        {"funder": "platform_fund", "currency": "CNY", "payouts": 1, "amount": 100},
    ]
    assert kpis.totals(rows)["listings_intercepted"]["num"] == 1


def test_an_empty_period_has_no_figures() -> None:
    report = kpis.report(_world(), dt.date(2030, 1, 1), dt.date(2030, 1, 31))
    assert report["since"] is None
    assert report["daily"]["avg_delivery_hours"] == []
    assert report["kpis"]["shipped_within_share"]["value"] is None  # type: ignore[index]


@pytest.mark.parametrize(
    ("score", "expected"),
    [("49.99", 0), ("59.99", 0), ("60", 1), ("89.99", 3), ("90", 4), ("100", len(BINS) - 1)],
)
def test_score_bins(score: str, expected: int) -> None:
    assert bin_of(Decimal(score)) == expected


def test_score_distribution_by_industry() -> None:
    rows = [
        Scored("M1", "beauty", "2026-10-08", "formal", Decimal("87.2")),
        Scored("M2", "beauty", "2026-10-08", "growth", Decimal("70")),
        Scored("M3", "pets", "2026-10-08", "formal", Decimal("95")),
    ]
    beauty, pets = distribution(rows)
    assert (beauty.industry, beauty.merchants, beauty.formal, beauty.mean) == ("beauty", 2, 1, 78.6)
    assert beauty.bins == (0, 0, 1, 1, 0)
    assert pets.bins == (0, 0, 0, 0, 1)


def test_policy_rules_and_diff() -> None:
    a = {
        "calendar": {"timezone": "Asia/Shanghai"},
        "rules": {"x": {"rate": 0.8, "tiers": [{"id": "a", "hours": 48}], "days": [1, 2]}},
    }
    b = {
        "calendar": {"timezone": "Asia/Shanghai"},
        "rules": {"x": {"rate": 0.3, "tiers": [{"id": "a", "hours": 48}]}, "y": {"on": True}},
    }
    assert [(r.section, r.path, r.value) for r in rules_of(a)] == [
        ("calendar", "timezone", "Asia/Shanghai"),
        ("x", "rate", "0.8"),
        ("x", "tiers[0].id", "a"),
        ("x", "tiers[0].hours", "48"),
        ("x", "days", "[1, 2]"),
    ]
    changes = [(c.section, c.path, c.kind, c.a, c.b) for c in diff(a, b)]
    assert changes == [
        ("x", "rate", "changed", "0.8", "0.3"),
        ("y", "on", "added", None, "true"),
        ("x", "days", "removed", "[1, 2]", None),
    ]
