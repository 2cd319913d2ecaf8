"""Logistics timers at their boundaries: exactly at the deadline is kept, one second after is not.

Scans carry codes a tiny classifier maps to anxin's statuses, so these tests pin the rule, not
the carrier vocabularies (tested in tests/tracking).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Decision, Effect, OutboxMessage, ScheduleDeadline
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.order import OrderState, apply
from anxin.engine.processor import remember
from anxin.guarantees.rules.logistics import Logistics
from anxin.policy.pack import PolicyBook
from tests.guarantees.rules.clock import tick_all

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
UPLOAD = PAID + dt.timedelta(hours=2)
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)
STATUS = {"info": "info_received", "pick": "picked_up", "hub": "at_hub", "move": "in_transit",
          "ofd": "out_for_delivery", "sign": "delivered"}  # fmt: skip
RULE = Logistics()


def classify(carrier: str, code: str, text: str) -> tuple[str, str, str]:
    return STATUS.get(code, "unknown"), "", ""


def order(
    scans: list[tuple[str, dt.datetime]],
    *,
    origin: str = "浙江",
    destination: str = "上海",
    amount: int = 30000,
    promise_hours: int | None = None,
) -> tuple[OrderState, list[ev.Event]]:
    money = ev.Money(amount, "CNY")
    promises = []
    if promise_hours:
        promises.append(ev.Promise(kind="ship", source="listing", within_hours=promise_hours))
    evs: list[ev.Event] = [
        ev.OrderPlaced(id="p", occurred_at=PAID, source="t", payload=ev.OrderPlacedPayload(
            order_id="O", merchant_id="M", consumer_id="C", amount=money, promises=promises,
            items=[ev.Item(sku="s", quantity=1, unit_price=money)],
            destination=ev.Region(country="CN", province=destination))),
        ev.OrderPaid(id="$", occurred_at=PAID, source="t",
                     payload=ev.OrderPaidPayload(order_id="O", amount_paid=money)),
        ev.ShipmentCreated(id="ship", occurred_at=UPLOAD, source="t",
            payload=ev.ShipmentCreatedPayload(order_id="O", shipment_id="S", carrier="SF",
                tracking_number="SF1", origin=ev.Region(country="CN", province=origin))),
    ]  # fmt: skip
    for i, (code, at) in enumerate(scans):
        scan = ev.TrackingScanPayload(carrier="SF", tracking_number="SF1", code=code)
        evs.append(ev.TrackingScanned(id=f"scan{i}", occurred_at=at, source="sf", payload=scan))
    state = OrderState("O")
    for e in evs:
        apply(state, e, classify)
    return state, evs


def run_events(
    state: OrderState, evs: list[ev.Event], book: PolicyBook, *, tick: bool = True
) -> list[Effect]:
    """Replay the rule over the events as the engine would (fold, rule, settle the batch),
    then — unless ``tick`` is False — fire every clock, as ``tick`` would afterwards."""
    fresh = OrderState("O")
    out: list[Effect] = []
    for e in evs:
        apply(fresh, e, classify)
        if isinstance(e, RULE.event_types):
            out += remember(fresh, RULE.on_event(fresh, e, book))
    out += RULE.settle(fresh, book)  # the batch ends: the parcel's watch is set
    if not tick:
        return out
    return out + tick_all(RULE, fresh, out, book, max(e.occurred_at for e in evs))


def fire(state: OrderState, effects: list[Effect], book: PolicyBook) -> list[Effect]:
    """Fire the parcel's watch as ``tick`` would, at its due time."""
    watches = [e for e in effects if isinstance(e, ScheduleDeadline)]
    assert watches, "no watch scheduled"
    w = watches[-1]  # the latest schedule wins, as in the engine
    deadline = DueDeadline(w.deadline_id, w.rule_id, w.aggregate_key, w.due_at, w.pack,
                           w.pack_version, dict(w.data))  # fmt: skip
    return remember(state, RULE.on_deadline(state, deadline, book))


def breaches(effects: list[Effect]) -> dict[str, Any]:
    return {
        e.decision_id.split(":")[3]: e.outcome["payout"]["amount"]
        for e in effects
        if isinstance(e, Decision)
    }


@pytest.mark.parametrize(
    ("pickup_after_upload", "expected"),
    [
        pytest.param(24 * H, {}, id="pickup-exactly-24h-kept"),
        pytest.param(24 * H + S, {"pickup_timeout": 300}, id="pickup-24h-1s-timeout"),
        pytest.param(48 * H, {"pickup_timeout": 300}, id="pickup-exactly-48h-no-anomaly"),
        pytest.param(48 * H + S, {"pickup_timeout": 300, "pickup_anomaly": 7500}, id="48h-1s"),
    ],
)
def test_pickup_timers_on_the_event_path(
    book: PolicyBook, pickup_after_upload: dt.timedelta, expected: dict[str, int]
) -> None:
    at = UPLOAD + pickup_after_upload
    state, evs = order([("pick", at), ("hub", at + H)])
    found = breaches(run_events(state, evs, book))
    # 1 % of 300.00 = 3 yuan (min 3); anomaly 25 % = 75 yuan (max 100)
    assert found == expected


def test_timer_and_event_paths_agree(book: PolicyBook) -> None:
    late = UPLOAD + 30 * H
    state, evs = order([("pick", late), ("hub", late + H)])
    by_event = [e for e in run_events(state, evs, book) if isinstance(e, Decision)]
    unshipped, upload_only = order([])
    scheduled = run_events(unshipped, upload_only, book, tick=False)
    by_timer = [e for e in fire(unshipped, scheduled, book) if isinstance(e, Decision)]
    assert by_event[0] == by_timer[0]


@pytest.mark.parametrize(
    ("origin", "destination", "threshold"),
    [
        pytest.param("浙江", "上海", 48, id="jiangzhehu-cluster-48h"),
        pytest.param("北京", "河北", 48, id="jingjinji-cluster-48h"),
        pytest.param("广东", "广东", 48, id="same-province-48h"),
        pytest.param("广东", "上海", 72, id="cross-province-72h"),
        pytest.param("广东", "新疆", 120, id="remote-destination-120h"),
        pytest.param("西藏", "西藏", 120, id="remote-same-province-120h"),
    ],
)
@pytest.mark.parametrize("extra", [dt.timedelta(0), S], ids=["exactly", "plus-1s"])
def test_transit_stall_by_lane_class(
    book: PolicyBook, origin: str, destination: str, threshold: int, extra: dt.timedelta
) -> None:
    pick = UPLOAD + H
    hub = pick + H
    resumed = hub + threshold * H + extra
    state, evs = order(
        [("pick", pick), ("hub", hub), ("move", resumed), ("sign", resumed + H)],
        origin=origin, destination=destination,
    )  # fmt: skip
    found = breaches(run_events(state, evs, book))
    assert ("transit_stall" in found) == bool(extra)


def test_stall_found_by_the_timer_when_scans_stop(book: PolicyBook) -> None:
    pick = UPLOAD + H
    state, evs = order([("pick", pick), ("hub", pick + H)], origin="广东", destination="上海")
    effects = run_events(state, evs, book, tick=False)
    watch = [e for e in effects if isinstance(e, ScheduleDeadline)][-1]
    assert watch.due_at == pick + H + 72 * H  # the hub scan's stall clock, cross-province
    fired = fire(state, effects, book)
    tasks = [e for e in fired if isinstance(e, OutboxMessage) and e.topic == "carrier.task"]
    assert len(tasks) == 1
    assert breaches(fired) == {"transit_stall": 300}


def test_families_pay_once_per_order_from_the_deposit(book: PolicyBook) -> None:
    late = UPLOAD + 30 * H
    # pickup late (timeout) and dispatch late (timeout again): the family pays once
    state, evs = order([("pick", late), ("hub", late + 30 * H)])
    effects = run_events(state, evs, book)
    decisions = [e for e in effects if isinstance(e, Decision)]
    assert {d.decision_id.split(":")[3] for d in decisions} == {
        "pickup_timeout",
        "dispatch_timeout",
    }
    assert breaches(effects) == {"pickup_timeout": 300, "dispatch_timeout": 0}
    payouts = [e for e in effects if isinstance(e, LedgerTransaction)]
    assert len(payouts) == 1
    assert payouts[0].key == "payout:order:O:trajectory_timeout"
    assert {p.account for p in payouts[0].postings} == {"merchant:M:deposit", "consumer:C"}


def test_scan_before_payment_is_a_fake_tracking_sign(book: PolicyBook) -> None:
    state, evs = order([("pick", PAID - H), ("hub", PAID + H)])
    found = breaches(run_events(state, evs, book))
    assert found["scan_before_payment"] == 7500


def test_longer_promise_pays_the_higher_class(book: PolicyBook) -> None:
    late = UPLOAD + 30 * H
    state, evs = order([("pick", late), ("hub", late + H)], promise_hours=72)
    # > 48 h promise: 5 % of 300.00 = 15 yuan
    assert breaches(run_events(state, evs, book)) == {"pickup_timeout": 1500}


def test_cancelled_orders_have_no_logistics_clock(book: PolicyBook) -> None:
    state, evs = order([])
    effects = run_events(state, evs, book, tick=False)  # one batch while the order is live ...
    assert [e for e in effects if isinstance(e, ScheduleDeadline) and not e.idle]
    cancel = ev.OrderCancelledPayload(order_id="O", by="consumer")
    apply(state, ev.OrderCancelled(id="x", occurred_at=UPLOAD + H, source="t", payload=cancel))
    (watch,) = RULE.settle(state, book)  # ... the next batch cancels it: the watch goes idle
    assert isinstance(watch, ScheduleDeadline)
    assert watch.idle
    fired = fire(state, effects, book)  # and the old watch finds nothing to judge
    assert [e for e in fired if isinstance(e, Decision)] == []


def test_a_clock_that_ran_out_before_the_cancellation_still_counts(book: PolicyBook) -> None:
    state, evs = order([])
    effects = run_events(state, evs, book, tick=False)
    cancel = ev.OrderCancelledPayload(order_id="O", by="consumer")
    late = UPLOAD + 30 * H  # after the 24 h pickup clock ran out, before the 48 h one
    apply(state, ev.OrderCancelled(id="x", occurred_at=late, source="t", payload=cancel))
    assert breaches(fire(state, effects, book)) == {"pickup_timeout": 300}
