"""Planted violators (issue 13): every world plants merchants who break one enforcement rule
each; the truth names them (``violator`` records, never in the events) and what they do shows in
the event stream as behaviour."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from anxin.application import build_engine, load_policy
from anxin.clock import FixedClock
from anxin.enforcement.config import VIOLATION_TYPES
from anxin.engine.files import ingest_file
from anxin.sim import Mix, preset
from anxin.sim.merchants import make_merchants
from anxin.sim.mix import ViolatorMix
from anxin.sim.run import simulate
from anxin.sim.violators import planned
from anxin.store.database import make_engine
from anxin.store.migrate import upgrade
from anxin.store.schema import decisions
from anxin.store.sql import SqlStore

from .conftest import Streams, run_sim, when

HOUR = dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def world() -> Streams:
    return run_sim(preset("tiny", seed=11, days=14))  # two weeks: escalations to see


def planted_by_type(s: Streams) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for t in s.truth_of("violator"):
        out[t["violation"]].append(t["merchant_id"])
    return out


def orders_of(s: Streams, merchant: str) -> dict[str, list[dict[str, Any]]]:
    return {o: evs for o, evs in s.by_order().items() if o.startswith(f"O{merchant[1:]}-")}


def test_every_type_is_planted_and_only_in_the_truth(world: Streams) -> None:
    planted = planted_by_type(world)
    assert set(planted) == set(VIOLATION_TYPES)
    assert b"violator" not in world.events_raw
    for t in world.truth_of("violator"):
        assert t["behaviour"]["size"] > 0


def test_counts_are_round_robin_and_capped() -> None:
    assert planned(preset("demo")) == [
        *VIOLATION_TYPES,
        *VIOLATION_TYPES,
        *(t for t in VIOLATION_TYPES if t != "late_shipment_shop"),
    ]
    tiny = planned(preset("tiny"))  # 20 merchants: at most half planted, every type once first
    assert tiny[:9] == list(VIOLATION_TYPES)
    assert len(tiny) == 10
    assert planned(preset("tiny", merchants=3)) == ["malicious_non_delivery"]
    none = Mix(violators=ViolatorMix(counts=()))
    assert planned(preset("tiny", mix=none)) == []


def test_planting_keeps_the_other_merchants_draws() -> None:
    """The planted merchants come from their own stream: every other merchant keeps its traits;
    only sizes are rescaled so the world's volume stays the same."""
    with_ = make_merchants(preset("demo", seed=4))
    without = make_merchants(preset("demo", seed=4, mix=Mix(violators=ViolatorMix(counts=()))))
    assert sum(m.behaviour.size for m in with_) == pytest.approx(len(with_))
    ratios = set()
    for a, b in zip(with_, without, strict=True):
        if a.violation:
            continue
        assert replace(a.behaviour, size=1.0) == replace(b.behaviour, size=1.0)
        assert a.listings == b.listings
        ratios.add(round(a.behaviour.size / b.behaviour.size, 9))
    assert len(ratios) == 1
    planted_ = [m for m in with_ if m.violation]
    assert len(planted_) == 26
    assert len({m.merchant_id for m in planted_}) == 26
    refusers = [m.industry.name for m in planted_ if m.violation == "unjustified_refusal"]
    assert len(set(refusers)) == len(refusers)  # one per industry


def test_overridden_merchants_are_not_planted() -> None:
    params = preset("tiny", seed=2)
    first = [m.merchant_id for m in make_merchants(params) if m.violation]
    pinned = make_merchants(params.with_(overrides={first[0]: {"quality": 0.9}}))
    assert first[0] not in {m.merchant_id for m in pinned if m.violation}


def test_non_delivery_orders_are_never_shipped_nor_cancelled_by_the_merchant(
    world: Streams,
) -> None:
    (m,) = planted_by_type(world)["malicious_non_delivery"][:1]
    due = {t["order_id"]: when(t["promised_due"]) for t in world.truth_of("order")}
    unshipped = 0
    for oid, evs in orders_of(world, m).items():
        types = {e["type"] for e in evs}
        if "order.paid" not in types or "shipment.created" in types:
            continue
        cancel = next((e for e in evs if e["type"] == "order.cancelled"), None)
        if cancel is not None and cancel["payload"]["by"] == "consumer":
            continue  # a buyer who changed their mind
        assert cancel is None or cancel["payload"]["by"] != "merchant"
        ask = next(e for e in evs if e["type"] == "aftersale.requested")
        assert ask["payload"]["reason"] == "not_shipped"
        assert when(ask["occurred_at"]) >= due[oid] + 24 * HOUR  # chased first, then refunded
        unshipped += 1
    assert unshipped >= 5


def test_false_inventory_cancels_as_out_of_stock_before_the_due(world: Streams) -> None:
    (m,) = planted_by_type(world)["false_inventory"][:1]
    due = {t["order_id"]: when(t["promised_due"]) for t in world.truth_of("order")}
    paid = cancelled = 0
    for oid, evs in orders_of(world, m).items():
        if not any(e["type"] == "order.paid" for e in evs):
            continue
        paid += 1
        for e in evs:
            if e["type"] == "order.cancelled" and e["payload"]["reason"] == "out_of_stock":
                assert e["payload"]["by"] == "merchant"
                assert when(e["occurred_at"]) < due[oid]
                cancelled += 1
    assert cancelled > 0.3 * paid


def test_false_promise_ships_video_orders_at_the_listing_pace(world: Streams) -> None:
    (m,) = planted_by_type(world)["false_promise"][:1]
    video = [
        e
        for e in world.of_type("content.published")
        if e["payload"]["merchant_id"] == m and e["payload"]["kind"] == "video"
    ]
    assert video
    assert video[0]["payload"]["promises"][0]["within_hours"] == 24
    mine = [
        t
        for t in world.truth_of("order")
        if t["merchant_id"] == m and t["promise_source"] == "video"
    ]
    broken = [t for t in mine if t.get("shipped_late") is not False]
    assert len(mine) >= 10
    assert len(broken) > 0.5 * len(mine)


def test_trajectory_and_fraud_shipments(world: Streams) -> None:
    planted = planted_by_type(world)
    why = Counter(
        (t["order_id"][:6], t["why"]) for t in world.truth_of("shipment") if t.get("fake")
    )
    (traj,) = planted["trajectory_anomaly"][:1]
    assert sum(n for (o, _), n in why.items() if o == f"O{traj[1:]}") >= 5
    (fraud,) = planted["fraud_shipping"][:1]
    asks = [
        e
        for e in world.of_type("aftersale.requested")
        if e["payload"]["order_id"].startswith(f"O{fraud[1:]}-")
        and e["payload"]["reason"] == "empty_parcel"
    ]
    assert len(asks) >= 3


def test_late_shop_melts_down_on_consecutive_days(world: Streams) -> None:
    (m,) = planted_by_type(world)["late_shipment_shop"][:1]
    traits = next(t for t in world.truth_of("violator") if t["merchant_id"] == m)["behaviour"]
    start = dt.date(2026, 10, 1) + dt.timedelta(days=traits["meltdown_start"])
    days = {start + dt.timedelta(days=i) for i in range(traits["meltdown_days"])}
    due, late = Counter[bool](), Counter[bool]()
    for t in world.truth_of("order"):
        if t["merchant_id"] == m and t.get("shipped_late") is not None:
            inside = when(t["promised_due"]).date() in days
            due[inside] += 1
            late[inside] += t["shipped_late"]
    assert late[True] / due[True] > 0.45
    assert late[False] / due[False] < 0.2


def test_negative_service_and_refusals(world: Streams) -> None:
    planted = planted_by_type(world)
    (slow,) = planted["negative_service"][:1]
    asked, answered = {}, {}
    for e in world.of_type("chat.message"):
        p = e["payload"]
        if p["merchant_id"] == slow:
            side = asked if p["sender"] == "consumer" else answered
            side[p["conversation_id"]] = when(e["occurred_at"])
    assert len(asked) >= 10
    missed = [c for c in asked if c not in answered]
    assert len(missed) > 0.2 * len(asked)
    (refuser,) = planted["unjustified_refusal"][:1]
    decisions_ = Counter(
        e["payload"]["decision"]
        for e in world.of_type("aftersale.responded")
        if e["payload"]["order_id"].startswith(f"O{refuser[1:]}-")
        and e["payload"]["by"] == "merchant"
        and e["payload"]["decision"] != "propose"
    )
    assert decisions_["refuse"] > 0.7 * sum(decisions_.values())


def test_every_merchant_but_the_overdue_one_answers_escalations(world: Streams) -> None:
    overdue = set(planted_by_type(world)["overdue_tickets"])
    evidence = {
        e["payload"]["aftersale_id"]: e
        for e in world.of_type("aftersale.responded")
        if e["payload"]["decision"] == "propose"
    }
    seen: Counter[bool] = Counter()
    for e in world.of_type("aftersale.escalated"):
        merchant = "M" + e["payload"]["order_id"][1:6]
        answer = evidence.get(e["payload"]["aftersale_id"])
        seen[merchant in overdue] += 1
        if merchant in overdue:
            assert answer is None
        else:
            assert answer is not None
            assert answer["payload"]["by"] == "merchant"
            assert answer["payload"]["text"]
            gap = when(answer["occurred_at"]) - when(e["occurred_at"])
            assert dt.timedelta(0) < gap < 72 * HOUR
    assert seen[True] >= 1
    assert seen[False] >= 5


def test_planted_shipments_raise_trajectory_and_fraud_findings(tmp_path: Path) -> None:
    """After ingest (clock at the stream's end + 1 day, then tick), the planted trajectory
    merchant's orders carry trajectory-anomaly findings and the fraud merchant's fraud-shipping
    ones (the families the enforcement detector counts)."""
    params = preset("tiny", seed=11)
    events, truth = tmp_path / "events.jsonl", tmp_path / "truth.jsonl"
    with events.open("wb") as e, truth.open("wb") as t:
        summary = simulate(params, e, t)
    assert summary.last_event_at is not None
    now = summary.last_event_at + dt.timedelta(days=1)
    planted: dict[str, str] = {}
    for line in truth.read_bytes().splitlines():
        r = json.loads(line)
        if r["kind"] == "violator":
            planted.setdefault(r["violation"], r["merchant_id"])
    sql = make_engine(str(tmp_path / "anxin.db"))
    upgrade(sql)
    try:
        engine = build_engine(SqlStore(sql), load_policy(params.pack), FixedClock(now))
        ingest_file(engine, events, batch_size=20_000)
        engine.tick(now)
        with sql.connect() as conn:
            rows = conn.execute(
                sa.select(decisions.c.aggregate_key, decisions.c.rule_id, decisions.c.outcome)
            ).all()
    finally:
        sql.dispose()
    families: Counter[tuple[str, str]] = Counter()
    for key, rule, outcome in rows:
        family = json.loads(outcome).get("family", "")
        if rule in ("logistics", "fraud_shipping") and family:
            families["M" + key.split(":")[1][1:6], family] += 1
    assert families[planted["trajectory_anomaly"], "trajectory_anomaly"] >= 5
    assert families[planted["fraud_shipping"], "fraud_shipping"] >= 3
