"""Governance feedback from anxin's enforcement rules (``--governance enforcement``): the
simulator's day counters judged by the pack's violation rules, the rung's measures and a
rectification plan obeyed by the merchant, which fixes most of what it does badly while the plan
runs and keeps part of the fix after it."""

from __future__ import annotations

import datetime as dt
import pickle
import statistics
from dataclasses import fields

import pytest

from anxin.enforcement.facts import Day
from anxin.enforcement.governance import EnforcementGovernance, day_of
from anxin.sim import preset
from anxin.sim.governance import DayReport, MerchantDay
from anxin.sim.merchants import Behaviour, improved, make_merchants, typical
from anxin.sim.mix import Reactions

from .conftest import Streams, run_sim, when

FLOOR = Behaviour(reply_minutes=0.5, chat_miss_rate=0.01, escalation_reply_rate=1.0)


@pytest.mark.parametrize(
    ("factor", "reply", "miss", "answers"),
    [
        (0.0, 0.5, 0.01, 1.0),  # as good as the typical merchant
        (1.0, 8.5, 0.41, 0.2),  # unchanged
        (0.25, 2.5, 0.11, 0.8),  # a quarter of the excess left
    ],
)
def test_improved_scales_the_excess_over_the_floor(
    factor: float, reply: float, miss: float, answers: float
) -> None:
    bad = Behaviour(reply_minutes=8.5, chat_miss_rate=0.41, escalation_reply_rate=0.2)
    got = improved(bad, factor, FLOOR)
    assert got.reply_minutes == pytest.approx(reply)
    assert got.chat_miss_rate == pytest.approx(miss)
    assert got.escalation_reply_rate == pytest.approx(answers)


def test_improved_never_makes_a_trait_worse_nor_better_than_it_was_when_already_good() -> None:
    good = Behaviour(reply_minutes=0.2, chat_miss_rate=0.0, refusal_rate=0.01)
    assert improved(good, 0.0, FLOOR) == good


def test_a_plan_then_a_partial_relapse_then_a_second_plan() -> None:
    params = preset("tiny", seed=11)
    (m,) = [x for x in make_merchants(params) if x.violation == "negative_service"][:1]
    floor, reactions = typical(params), Reactions()
    drawn = m.behaviour
    excess = drawn.reply_minutes - floor.reply_minutes
    day = dt.date(2026, 10, 3)
    m.rectify("negative_service", day)
    during, after = reactions.rectify_factor, reactions.rectified_factor
    m.settle(day, reactions, floor)  # the plan's last day: still rectifying
    assert m.behaviour.reply_minutes == pytest.approx(floor.reply_minutes + during * excess)
    m.settle(day + dt.timedelta(days=1), reactions, floor)
    assert m.behaviour.reply_minutes == pytest.approx(floor.reply_minutes + after * excess)
    m.rectify("negative_service", day + dt.timedelta(days=9))
    m.settle(day + dt.timedelta(days=9), reactions, floor)
    assert m.behaviour.reply_minutes == pytest.approx(floor.reply_minutes + during * excess)
    m.settle(day + dt.timedelta(days=10), reactions, floor)
    assert m.behaviour.reply_minutes == pytest.approx(floor.reply_minutes + after**2 * excess)
    # Only the traits behind the violation: its after-sales and shipping stay as drawn.
    assert m.behaviour.refusal_rate == drawn.refusal_rate
    assert m.behaviour.late_ship_rate == drawn.late_ship_rate
    assert m.latent is drawn  # the drawn record is kept


def test_day_of_carries_every_counter_enforcement_judges() -> None:
    d = MerchantDay(
        **{f.name: i + 1 for i, f in enumerate(fields(MerchantDay)) if f.name != "industry"}
    )
    got = day_of(d)
    renamed = {"gmv": "amount_paid", "anomaly": "fake", "out_of_stock": "admitted"}
    for f in fields(Day):
        assert getattr(got, f.name) == getattr(d, renamed.get(f.name, f.name)), f.name


def test_a_slow_shop_is_judged_once_settled_and_given_the_ladder_and_a_plan() -> None:
    gov = EnforcementGovernance("douyin")
    day = dt.date(2026, 10, 2)
    report = DayReport(day)
    report.merchants["M1"] = MerchantDay(paid=40, rounds=30, response_seconds=30 * 300, sessions=30)
    report.merchants["M2"] = MerchantDay(paid=40, rounds=30, response_seconds=30 * 20, sessions=30)
    assert gov.measures(day, ["M1", "M2"], report) == {}  # not settled yet
    settled = day + dt.timedelta(days=7)  # the pack's settle_days
    assert gov.measures(settled - dt.timedelta(days=1), [], DayReport(settled)) == {}
    got = gov.measures(settled, ["M1", "M2"], DayReport(settled))
    assert set(got) == {"M1"}
    kinds = [m.kind for m in got["M1"]]
    assert "rectify" in kinds
    (plan,) = [m for m in got["M1"] if m.kind == "rectify"]
    assert plan.until == settled + dt.timedelta(days=14)  # the pack's deadline
    assert plan.about == "negative_service"
    assert "negative_service #1" in plan.reason
    gov.measures(day + dt.timedelta(days=1), ["M1"], _shift(report, 1))
    again = gov.measures(settled + dt.timedelta(days=1), ["M1"], DayReport(settled))
    assert any("negative_service #2" in m.reason for m in again["M1"])  # the ladder climbs
    assert pickle.loads(pickle.dumps(gov)).pack == "douyin"


def _shift(report: DayReport, days: int) -> DayReport:
    out = DayReport(report.day + dt.timedelta(days=days))
    out.merchants = dict(report.merchants)
    return out


def _replies(s: Streams, merchant: str, since: dt.date) -> list[float]:
    asked: dict[str, dt.datetime] = {}
    out = []
    for e in s.of_type("chat.message"):
        p = e["payload"]
        if p["merchant_id"] != merchant:
            continue
        t = when(e["occurred_at"])
        if p["sender"] == "consumer":
            asked[p["conversation_id"]] = t
        elif p["conversation_id"] in asked and asked[p["conversation_id"]].date() >= since:
            out.append((t - asked[p["conversation_id"]]).total_seconds())
    return out


SLOW = "M00003"  # pinned: one slow agent for a busy shop whose goods raise many questions


@pytest.fixture(scope="module")
def worlds() -> tuple[Streams, Streams]:
    slow = {"reply_minutes": 8.0, "chat_miss_rate": 0.4, "chat_factor": 6.0, "size": 3.0}
    params = preset("tiny", seed=11, days=21, overrides={SLOW: slow})
    return run_sim(params), run_sim(params, EnforcementGovernance(params.pack))


def test_the_slow_shop_answers_faster_once_rectifying(worlds: tuple[Streams, Streams]) -> None:
    off, on = worlds
    plans = [
        t for t in on.truth_of("measure") if t["merchant_id"] == SLOW and t["measure"] == "rectify"
    ]
    assert plans
    assert "negative_service #1" in plans[0]["reason"]
    since = dt.date.fromisoformat(plans[0]["day"]) + dt.timedelta(days=1)
    before, after = _replies(off, SLOW, since), _replies(on, SLOW, since)
    assert len(before) >= 20
    assert len(after) >= 20
    # The median: a question asked after hours waits for the opening either way.
    assert statistics.median(after) < 0.4 * statistics.median(before)
    assert not off.truth_of("measure")  # no governance, no measures


def test_governed_worlds_are_the_same_in_one_process_or_two() -> None:
    params = preset("tiny", seed=5, shards=2, days=14)  # judged once settled: a week later
    one = run_sim(params, EnforcementGovernance(params.pack), workers=1)
    two = run_sim(params, EnforcementGovernance(params.pack), workers=2)
    assert one.events_raw == two.events_raw
    assert one.truth_raw == two.truth_raw
    assert one.truth_of("measure")
