"""The tmall pack (second family) at its boundaries: 48 h default ship-by, stacked out-of-stock,
false shipment, no-update and stale clocks by lane class, and the timeout + anomaly cap."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.application import load_policy
from anxin.contract import events as ev
from anxin.domain.effects import Decision, Effect
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.order import OrderState, apply
from anxin.guarantees.rules.late_shipment import LateShipment
from anxin.policy.pack import PolicyBook
from tests.guarantees.rules.clock import tick_all
from tests.guarantees.rules.test_logistics import (
    CST,
    UPLOAD,
    H,
    S,
    breaches,
    classify,
    order,
    run_events,
)

PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)  # as in test_logistics


@pytest.fixture(scope="module")
def tmall() -> PolicyBook:
    return load_policy("tmall")


def payouts(effects: list[Effect]) -> dict[str, int]:
    return {
        e.key.rsplit(":", 1)[1]: e.postings[1].amount.amount
        for e in effects
        if isinstance(e, LedgerTransaction)
    }


# ------------------------------------------------------------------ late shipment


def late_shipment(
    shipped_after: dt.timedelta, tmall: PolicyBook, amount: int = 30000
) -> list[Effect]:
    rule, money = LateShipment(), ev.Money(amount, "CNY")
    item = ev.Item(sku="s", quantity=1, unit_price=money)
    placed = ev.OrderPlacedPayload(
        order_id="T", merchant_id="M", consumer_id="C", items=[item], amount=money
    )
    evs: list[ev.Event] = [
        ev.OrderPlaced(id="p", occurred_at=PAID, source="t", payload=placed),
        ev.OrderPaid(
            id="$",
            occurred_at=PAID,
            source="t",
            payload=ev.OrderPaidPayload(order_id="T", amount_paid=money),
        ),
        ev.ShipmentCreated(
            id="s",
            occurred_at=PAID + shipped_after,
            source="t",
            payload=ev.ShipmentCreatedPayload(
                order_id="T", shipment_id="S", carrier="SF", tracking_number="SF9"
            ),
        ),
    ]
    state, out = OrderState("T"), []
    for e in evs:
        apply(state, e, classify)
        out += rule.on_event(state, e, tmall)
    return out + tick_all(rule, state, out, tmall, evs[-1].occurred_at)  # then tick


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        pytest.param(48 * H, {}, id="exactly-48h-on-time"),
        pytest.param(48 * H + S, {"0": 1500}, id="48h-1s-late-5pct"),
        pytest.param(120 * H, {"0": 1500}, id="exactly-72h-after-late-not-yet-out-of-stock"),
        # out of stock comes on top: 10 % of 300.00 = 30 yuan, plus the 15 yuan late red packet
        pytest.param(120 * H + S, {"0": 1500, "1": 3000}, id="out-of-stock-stacks"),
    ],
)
def test_late_shipment_48h_default_and_stacked_out_of_stock(
    tmall: PolicyBook, after: dt.timedelta, expected: dict[str, int]
) -> None:
    assert payouts(late_shipment(after, tmall)) == expected


def test_late_shipment_min_and_max(tmall: PolicyBook) -> None:
    # 5 % of 20.00 = 1 yuan → min 5; 10 % of 8,000.00 = 800 → max 500 (out of stock)
    assert payouts(late_shipment(48 * H + S, tmall, amount=2000)) == {"0": 500}
    assert payouts(late_shipment(120 * H + S, tmall, amount=800000)) == {"0": 5000, "1": 50000}


# ------------------------------------------------------------------ logistics


@pytest.mark.parametrize(
    ("scans", "expected"),
    [
        pytest.param([("pick", UPLOAD + 24 * H), ("hub", UPLOAD + 25 * H)], {}, id="pickup-at-24h"),
        pytest.param(
            [("pick", UPLOAD + 24 * H + S), ("hub", UPLOAD + 25 * H)],
            {"false_shipment": 1500},
            id="false-shipment-24h-1s",
        ),
        pytest.param(
            [("pick", UPLOAD + H), ("hub", UPLOAD + 25 * H)], {}, id="update-exactly-24h-after"
        ),
        pytest.param(
            [("pick", UPLOAD + H), ("hub", UPLOAD + 25 * H + S)],
            {"no_update_timeout": 1500},
            id="no-update-24h-1s-timeout",
        ),
        pytest.param(
            [("pick", UPLOAD + H), ("hub", UPLOAD + 73 * H + S)],
            # timeout 5 % (15) then anomaly 20 % (60) capped at 20 % of 300 = 60 in all: 45 more
            {"no_update_timeout": 1500, "no_update_anomaly": 4500},
            id="no-update-72h-1s-anomaly-under-the-cap",
        ),
    ],
)
def test_false_shipment_and_no_update(
    tmall: PolicyBook, scans: list[tuple[str, dt.datetime]], expected: dict[str, int]
) -> None:
    state, evs = order(scans, origin="广东", destination="上海")
    found = breaches(run_events(state, evs, tmall))
    assert {k: v for k, v in found.items() if v} == expected


@pytest.mark.parametrize(
    ("origin", "destination", "timeout", "anomaly"),
    [
        pytest.param("浙江", "上海", 48, 96, id="same-region"),
        pytest.param("广东", "上海", 72, 120, id="cross-province"),
        pytest.param("广东", "新疆", 120, 168, id="remote"),
        pytest.param("广东", "云南", 72, 120, id="yunnan-not-remote-on-tmall"),
    ],
)
def test_stale_thresholds_by_lane(
    tmall: PolicyBook, origin: str, destination: str, timeout: int, anomaly: int
) -> None:
    pick, hub = UPLOAD + H, UPLOAD + 2 * H
    for gap, found_ids in (
        (timeout * H, set()),
        (timeout * H + S, {"stale_timeout"}),
        (anomaly * H + S, {"stale_timeout", "stale_anomaly"}),
    ):
        scans = [("pick", pick), ("hub", hub), ("move", hub + gap), ("sign", hub + gap + H)]
        state, evs = order(scans, origin=origin, destination=destination)
        decided = {
            e.decision_id.split(":")[3]
            for e in run_events(state, evs, tmall)
            if isinstance(e, Decision)
        }
        assert decided == found_ids, (gap, decided)


def test_cap_binds_on_a_large_order(tmall: PolicyBook) -> None:
    # 2,000.00 paid: timeout 5 % = 100 → max 50; anomaly 20 % = 400 → max 100; together ≤ 100
    scans = [("pick", UPLOAD + H), ("hub", UPLOAD + 73 * H + S)]
    state, evs = order(scans, origin="广东", destination="上海", amount=200000)
    effects = run_events(state, evs, tmall)
    assert payouts(effects) == {"trajectory_timeout": 5000, "trajectory_anomaly": 5000}
