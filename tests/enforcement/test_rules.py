"""The violation rules at their boundaries, with the douyin 2026-08-10 pack's numbers: exactly
at a threshold and one step past it."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.application import load_policy
from anxin.enforcement.config import EnforcementConfig
from anxin.enforcement.facts import Day, MerchantFacts
from anxin.enforcement.ladder import counted, period_of
from anxin.enforcement.run import config_of
from anxin.enforcement.violations import judge_day

DAY = dt.date(2026, 9, 9)  # a Wednesday
SUNDAY = dt.date(2026, 9, 13)


def _config(version: str = "2026-08-10") -> EnforcementConfig:
    book = load_policy("douyin")
    pack = next(p for p in book.versions if p.version == version)
    return config_of(pack)


def _types(
    day: Day,
    config: EnforcementConfig | None = None,
    on: dt.date = DAY,
    industry: dict[dt.date, Day] | None = None,
) -> list[str]:
    m = MerchantFacts(days={on: day})
    found = judge_day("M1", m, on, config or _config(), industry or {}, {})
    return [f"{f.type}:{f.tier}" if f.tier else f.type for f in found]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # false inventory: share > 30 % AND ≥ 30 out of stock (§2.1)
        (Day(paid=100, out_of_stock=30), []),  # 30 % exactly: not above
        (Day(paid=99, out_of_stock=30), ["false_inventory"]),
        (Day(paid=60, out_of_stock=29), []),  # 48 % but 29 orders
        # trajectory anomaly: rate > 10 % AND ≥ 20 (§3.2)
        (Day(shipped=200, anomaly=20), []),
        (Day(shipped=199, anomaly=20), ["trajectory_anomaly"]),
        (Day(shipped=100, anomaly=19), []),
        # fraud shipping: ≥ 3 in a day (§3.3)
        (Day(fraud=2), []),
        (Day(fraud=3), ["fraud_shipping"]),
        # malicious non-delivery: ≥ 3 and > 30 % of the due orders (anxin's choice)
        (Day(due=10, non_delivery=3), []),
        (Day(due=9, non_delivery=3), ["malicious_non_delivery"]),
        (Day(due=2, non_delivery=2), []),
        # false promise: broken share > 50 % AND ≥ 5
        (Day(promised=10, promise_broken=5), []),
        (Day(promised=9, promise_broken=5), ["false_promise"]),
        # shop late shipment 2026-08-10: ≥ 30 % and ≥ 200 late → the zero cap
        (Day(due=1000, late=299), []),
        (Day(due=1000, late=300), ["late_shipment_shop:zero_cap"]),
        (Day(due=500, late=199), []),
        # negative service: average > 90 s over ≥ 10 rounds, or ≥ 5 unanswered sessions (§5.1)
        (Day(rounds=10, response_seconds=900), []),
        (Day(rounds=10, response_seconds=901), ["negative_service:slow_average"]),
        (Day(rounds=9, response_seconds=9000), []),
        (Day(sessions=9, unanswered=4), []),
        (Day(sessions=9, unanswered=5), ["negative_service:unanswered_sessions"]),
    ],
)
def test_daily_rules_at_their_boundaries(day: Day, expected: list[str]) -> None:
    assert _types(day) == expected


def test_2026_tiers_as_published_the_zero_cap_subsumes_the_100_cap() -> None:
    """§2.1 (2026-08-10): ≥ 40 % on 2 days in a row with ≥ 200 late caps at 100 a day, ≥ 30 %
    in a day with ≥ 200 late caps at 0. Any day meeting the first meets the second, and the
    most severe tier is judged first: as published, the 100 cap never applies alone."""
    config = _config()
    m = MerchantFacts(
        days={DAY: Day(due=600, late=240), DAY + dt.timedelta(days=1): Day(due=600, late=240)}
    )
    fired: dict[str, dt.date] = {}
    got = [
        f.tier
        for d in (DAY, DAY + dt.timedelta(days=1))
        for f in judge_day("M1", m, d, config, {}, fired)
    ]
    assert got == ["zero_cap", "zero_cap"]


def test_the_2025_pack_counts_three_bad_days_in_seven() -> None:
    config = _config("2025-09-29")
    m = MerchantFacts()
    fired: dict[str, dt.date] = {}
    days = [DAY + dt.timedelta(days=i) for i in range(7)]
    for d in days:
        m.days[d] = Day(due=100, late=10)
    m.days[days[0]] = Day(due=100, late=26)
    m.days[days[3]] = Day(due=100, late=26)
    got = [f for d in days for f in judge_day("M1", m, d, config, {}, fired)]
    assert got == []  # two days over 25 %: not yet
    m.days[days[6]] = Day(due=100, late=26)
    fired = {}
    got = [f for d in days for f in judge_day("M1", m, d, config, {}, fired)]
    assert [(f.tier, f.day) for f in got] == [("serious_days", days[6])]
    # The same three days never count twice; a fourth bad day alone does not either.
    m.days[days[6] + dt.timedelta(days=1)] = Day(due=100, late=26)
    assert judge_day("M1", m, days[6] + dt.timedelta(days=1), config, {}, fired) == []


@pytest.mark.parametrize(
    ("merchant", "industry_refusals", "expected"),
    [
        (Day(responses=20, refusals=5, unjustified=5), 50, []),  # 25 % = 5 × 5 %: not above
        (Day(responses=20, refusals=5, unjustified=5), 49, ["unjustified_refusal"]),
        (Day(responses=20, refusals=10, unjustified=4), 0, []),  # 4 overturned: fewer than 5
    ],
)
def test_unjustified_refusal_compares_with_the_industry(
    merchant: Day, industry_refusals: int, expected: list[str]
) -> None:
    """The industry's rate is its other merchants' (1,000 answers beside the merchant's)."""
    industry = {DAY: Day(responses=1000 + merchant.responses,
                         refusals=industry_refusals + merchant.refusals)}  # fmt: skip
    assert _types(merchant, industry=industry) == expected


def test_a_merchant_alone_in_its_industry_has_nothing_to_compare_with() -> None:
    merchant = Day(responses=20, refusals=20, unjustified=20)
    assert _types(merchant, industry={DAY: Day(responses=20, refusals=20)}) == []


def test_a_big_refuser_does_not_raise_its_own_bar() -> None:
    """Half the industry's answers are its own: counted in, the bar would be 5 × 30 %."""
    merchant = Day(responses=1000, refusals=550, unjustified=300)
    industry = {DAY: Day(responses=2000, refusals=600)}  # others: 50 of 1,000 = 5 %
    assert _types(merchant, industry=industry) == ["unjustified_refusal"]


@pytest.mark.parametrize(
    ("tickets", "overdue", "expected"),
    [
        (5, 1, []),
        (5, 2, ["overdue_tickets:warning"]),  # ≥ 5 and 40 % (≥ 30 %)
        (5, 3, ["overdue_tickets:deduction"]),  # ≥ 5 and 60 %
        (10, 2, []),  # 20 %
        (4, 1, []),
        (4, 2, ["overdue_tickets:warning"]),  # < 5 and 2 overdue
        (4, 3, ["overdue_tickets:deduction"]),  # < 5 and 3 overdue
    ],
)
def test_overdue_tickets_per_week(tickets: int, overdue: int, expected: list[str]) -> None:
    # Spread over the week; judged on its Sunday and dated on its Monday.
    m = MerchantFacts(
        days={
            SUNDAY - dt.timedelta(days=6): Day(tickets=tickets),
            SUNDAY - dt.timedelta(days=2): Day(tickets_overdue=overdue),
        }
    )
    found = judge_day("M1", m, SUNDAY, _config(), {}, {})
    assert [f"{f.type}:{f.tier}" for f in found] == expected
    assert all(f.day == SUNDAY - dt.timedelta(days=6) for f in found)
    assert judge_day("M1", m, SUNDAY - dt.timedelta(days=1), _config(), {}, {}) == []


def test_counting_per_natural_year_quarter_and_rolling_window() -> None:
    from anxin.enforcement.config import Counting

    year = Counting(period="natural_year")
    days = [dt.date(2026, 3, 1), dt.date(2026, 12, 31)]
    assert counted(dt.date(2026, 12, 31), days[:1], year) == 2
    assert counted(dt.date(2027, 1, 1), days, year) == 1  # reset at the year boundary
    assert period_of(dt.date(2027, 1, 1), year) == "2027"
    quarter = Counting(period="quarter")
    assert counted(dt.date(2026, 3, 31), [dt.date(2026, 1, 1)], quarter) == 2
    assert counted(dt.date(2026, 4, 1), [dt.date(2026, 3, 31)], quarter) == 1
    rolling = Counting(period="rolling", days=180)
    first = dt.date(2026, 1, 1)
    assert counted(first + dt.timedelta(days=179), [first], rolling) == 2  # day 180 of the window
    assert counted(first + dt.timedelta(days=180), [first], rolling) == 1  # one day after
