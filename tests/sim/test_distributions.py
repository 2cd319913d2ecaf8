"""Over a large enough run the stream shows the behaviour it was configured with."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

import pytest

from anxin.sim import SimParams
from anxin.sim.geo import REMOTE

from .conftest import Streams, run_sim, when
from .test_truth import binding_dues, first_scans

CLEAN = {
    "out_of_stock_rate": 0.0,
    "false_ship_rate": 0.0,
    "fake_tracking_rate": 0.0,
    "fraud_ship_rate": 0.0,
    "presale_rate": 0.0,
}


def merchant_orders(s: Streams, merchant_id: str) -> set[str]:
    return {
        e["payload"]["order_id"]
        for e in s.of_type("order.placed")
        if e["payload"]["merchant_id"] == merchant_id
    }


def test_configured_late_rate_shows_against_the_binding_promise() -> None:
    """M00000 ships 10 % late. Measured from the events alone (first carrier scan against the
    binding promise anxin's domain code computes), over ~3,000 shipped orders: the binomial
    standard error is sqrt(0.1 * 0.9 / 3000) ≈ 0.55 %, so ±2.5 points is about 4.5 sigma."""
    params = SimParams(
        seed=3,
        merchants=4,
        consumers=5_000,
        days=28,
        orders_per_merchant_day=40,
        overrides={"M00000": {**CLEAN, "late_ship_rate": 0.10, "size": 3.0}},
    )
    s = run_sim(params)
    dues, shipped = binding_dues(s), first_scans(s)
    mine = merchant_orders(s, "M00000") & shipped.keys()
    assert len(mine) > 2_500
    late = sum(shipped[o] > dues[o] for o in mine) / len(mine)
    assert abs(late - 0.10) < 0.025, late


def test_remote_lanes_take_longer_than_same_province() -> None:
    s = run_sim(SimParams(seed=4, merchants=40, consumers=10_000, days=10))
    origin = {
        e["payload"]["order_id"]: e["payload"].get("origin", {}).get("province", "")
        for e in s.of_type("shipment.created")
    }
    dest = {
        e["payload"]["order_id"]: e["payload"]["destination"]["province"]
        for e in s.of_type("order.placed")
    }
    parcel_order = {
        (e["payload"]["carrier"], e["payload"]["tracking_number"]): e["payload"]["order_id"]
        for e in s.of_type("shipment.created")
    }
    same: list[float] = []
    remote: list[float] = []
    for key, scans in s.scans().items():
        oid = parcel_order.get(key)
        if oid is None or not origin[oid]:
            continue
        hours = (when(scans[-1]["occurred_at"]) - when(scans[0]["occurred_at"])) / dt.timedelta(
            hours=1
        )
        a, b = origin[oid], dest[oid]
        if a == b and a not in REMOTE:
            same.append(hours)
        elif a != b and (a in REMOTE or b in REMOTE):
            remote.append(hours)
    assert len(same) > 200
    assert len(remote) > 200
    assert statistics.median(remote) > 2.5 * statistics.median(same)


def test_abuser_share_and_abuse() -> None:
    """2 % of 30,000 consumers are abusers: standard error 0.08 %, tolerance 0.4 points."""
    params = SimParams(seed=5, merchants=40, consumers=30_000, days=20)
    assert params.mix.consumers.abuser_share == pytest.approx(0.02)
    s = run_sim(params)
    share = len([t for t in s.truth_of("consumer") if t.get("abuser")]) / 30_000
    assert abs(share - 0.02) < 0.004, share
    kinds = Counter((t["reason"], t.get("abusive", False)) for t in s.truth_of("aftersale"))
    assert kinds["no_reason", True] > 0  # empty-box returns
    assert kinds["not_received", True] > 0  # false "not received"
    empty = [e for e in s.of_type("return.received") if e["payload"].get("condition") == "empty"]
    assert empty


def test_review_stars_follow_quality() -> None:
    good, bad = {**CLEAN, "quality": 0.92, "size": 3.0}, {**CLEAN, "quality": 0.4, "size": 3.0}
    s = run_sim(
        SimParams(
            seed=6, merchants=4, consumers=8_000, days=21, overrides={"M00000": good, "M00001": bad}
        )
    )
    stars: dict[str, list[int]] = {"M00000": [], "M00001": []}
    for e in s.of_type("review.posted"):
        if e["payload"]["merchant_id"] in stars:
            stars[e["payload"]["merchant_id"]].append(e["payload"]["stars"])
    hi, lo = stars["M00000"], stars["M00001"]
    assert len(hi) > 200
    assert len(lo) > 200
    assert statistics.mean(hi) > statistics.mean(lo) + 1.0
    low_share = [sum(x <= 2 for x in xs) / len(xs) for xs in (hi, lo)]
    assert low_share[1] > low_share[0] + 0.2
    quality_returns = Counter(
        t["order_id"][:6] for t in s.truth_of("aftersale") if t["reason"] == "quality"
    )
    assert quality_returns["O00001"] > 2 * quality_returns["O00000"]


def test_promotion_peak_and_weekly_rhythm() -> None:
    """双11 sells about four times an ordinary day (2026-11-11 is a Wednesday)."""
    start = dt.datetime(2026, 11, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    s = run_sim(SimParams(seed=7, merchants=40, consumers=10_000, days=3, start=start))
    per_day = Counter(when(e["occurred_at"]).date() for e in s.of_type("order.placed"))
    assert per_day[dt.date(2026, 11, 11)] > 3 * per_day[dt.date(2026, 11, 9)]
    hours = Counter(when(e["occurred_at"]).hour for e in s.of_type("order.placed"))
    assert hours[21] > 5 * hours[4]
