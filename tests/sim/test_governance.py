"""Governance feedback: measures decided at the end of a day change what merchants do next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from anxin.sim import (
    DayReport,
    Measure,
    NoGovernance,
    SelfGovernance,
    SimParams,
)

from .conftest import Streams, run_sim, when
from .test_distributions import CLEAN, merchant_orders
from .test_truth import binding_dues, first_scans

START = dt.date(2026, 10, 1)


def late_share_after(s: Streams, merchant_id: str, first_day: dt.date) -> float:
    dues, shipped = binding_dues(s), first_scans(s)
    placed = {
        e["payload"]["order_id"]: when(e["occurred_at"]).date() for e in s.of_type("order.placed")
    }
    mine = [o for o in merchant_orders(s, merchant_id) & shipped.keys() if placed[o] >= first_day]
    assert len(mine) > 300
    return sum(shipped[o] > dues[o] for o in mine) / len(mine)


def test_penalised_merchant_ships_faster_than_without_governance() -> None:
    params = SimParams(
        seed=8,
        merchants=4,
        consumers=5_000,
        days=14,
        orders_per_merchant_day=30,
        overrides={"M00000": {**CLEAN, "late_ship_rate": 0.6, "size": 2.0}},
    )
    free = run_sim(params, NoGovernance())
    governed = run_sim(params, SelfGovernance())
    penalties = [
        t
        for t in governed.truth_of("measure")
        if t["merchant_id"] == "M00000" and t["measure"] == "penalty"
    ]
    assert penalties
    assert penalties[0]["day"] == START.isoformat()
    assert not free.truth_of("measure")
    day_two = START + dt.timedelta(days=1)
    before = late_share_after(free, "M00000", day_two)
    after = late_share_after(governed, "M00000", day_two)
    assert before > 0.5
    assert after < before - 0.2, (before, after)


class PresaleOff:
    """Revokes M00000's presale rights after the first day, for the whole run."""

    def measures(
        self, day: dt.date, merchant_ids: Sequence[str], report: DayReport
    ) -> Mapping[str, Sequence[Measure]]:
        if day == START and "M00000" in merchant_ids:
            assert report.merchants["M00000"].orders > 0
            return {"M00000": [Measure("presale_off", START + dt.timedelta(days=30))]}
        return {}


def test_merchant_without_presale_rights_sells_spot_goods() -> None:
    params = SimParams(
        seed=9,
        merchants=3,
        consumers=3_000,
        days=6,
        overrides={"M00000": {**CLEAN, "presale_rate": 0.6, "size": 2.0}},
    )
    s = run_sim(params, PresaleOff())
    presale_by_day: dict[bool, list[bool]] = {True: [], False: []}
    for e in s.of_type("order.placed"):
        if e["payload"]["merchant_id"] == "M00000":
            first = when(e["occurred_at"]).date() == START
            presale_by_day[first].append("presale_ship_by" in e["payload"])
    assert sum(presale_by_day[True]) > 0.3 * len(presale_by_day[True])
    assert not any(presale_by_day[False])
    assert [t["measure"] for t in s.truth_of("measure")] == ["presale_off"]


class CapAt:
    def __init__(self, cap: int) -> None:
        self.cap = cap

    def measures(
        self, day: dt.date, merchant_ids: Sequence[str], report: DayReport
    ) -> Mapping[str, Sequence[Measure]]:
        return {
            mid: [Measure("order_cap", day + dt.timedelta(days=1), self.cap)]
            for mid in merchant_ids
        }


def test_order_cap_limits_daily_orders() -> None:
    s = run_sim(SimParams(seed=10, merchants=3, days=4, orders_per_merchant_day=30), CapAt(5))
    per_day: dict[tuple[str, dt.date], int] = {}
    for e in s.of_type("order.placed"):
        key = (e["payload"]["merchant_id"], when(e["occurred_at"]).date())
        per_day[key] = per_day.get(key, 0) + 1
    assert max(n for (_, d), n in per_day.items() if d > START) <= 5
    assert max(n for (_, d), n in per_day.items() if d == START) > 5
