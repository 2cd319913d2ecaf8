"""Delivery promises at their boundaries, for the douyin (appointment) and amazon (A-to-z) packs."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.application import load_policy
from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Decision, Effect, OutboxMessage, ScheduleDeadline
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.order import OrderState, apply
from anxin.guarantees.rules.delivery import DeliveryPromise
from anxin.policy.pack import PolicyBook
from tests.guarantees.rules.clock import tick_all

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
BY = dt.datetime(2026, 10, 8, 23, 59, 59, tzinfo=CST)
S = dt.timedelta(seconds=1)
H72 = dt.timedelta(hours=72)
RULE = DeliveryPromise()
MILESTONE = {"pick": "picked_up", "sign": "delivered"}


def classify(carrier: str, code: str, text: str) -> tuple[str, str, str]:
    return MILESTONE.get(code, "unknown"), "", ""


@pytest.fixture(scope="module")
def amazon() -> PolicyBook:
    return load_policy("amazon")


def order(
    delivered: dt.datetime | None, source: str = "appointment", amount: int = 30000
) -> tuple[OrderState, list[Effect]]:
    money = ev.Money(amount, "CNY")
    promise = ev.Promise(kind="deliver", source=source, by=BY)  # type: ignore[arg-type]
    item = ev.Item(sku="s", quantity=1, unit_price=money)
    placed = ev.OrderPlacedPayload(
        order_id="O",
        merchant_id="M",
        consumer_id="C",
        items=[item],
        amount=money,
        promises=[promise],
    )
    evs: list[ev.Event] = [
        ev.OrderPlaced(id="p", occurred_at=PAID, source="t", payload=placed),
        ev.OrderPaid(
            id="$",
            occurred_at=PAID,
            source="t",
            payload=ev.OrderPaidPayload(order_id="O", amount_paid=money),
        ),
        ev.ShipmentCreated(
            id="s",
            occurred_at=PAID + H72 / 72,
            source="t",
            payload=ev.ShipmentCreatedPayload(
                order_id="O", shipment_id="S", carrier="X", tracking_number="X1"
            ),
        ),
        ev.TrackingScanned(
            id="k1",
            occurred_at=PAID + H72 / 36,
            source="t",
            payload=ev.TrackingScanPayload(carrier="X", tracking_number="X1", code="pick"),
        ),
    ]
    if delivered is not None:
        scan = ev.TrackingScanPayload(carrier="X", tracking_number="X1", code="sign")
        evs.append(ev.TrackingScanned(id="k2", occurred_at=delivered, source="t", payload=scan))
    return _run(evs)


BOOK: dict[str, PolicyBook] = {}


def _run(evs: list[ev.Event]) -> tuple[OrderState, list[Effect]]:
    state, out = OrderState("O"), []
    for e in evs:
        apply(state, e, classify)
        if isinstance(e, RULE.event_types):
            out += RULE.on_event(state, e, BOOK["current"])
    # then tick at the last fact: clocks that ran out by then are judged
    return state, out + tick_all(RULE, state, out, BOOK["current"], evs[-1].occurred_at)


def decided(effects: list[Effect]) -> list[str]:
    return sorted(e.decision_id.rsplit(":", 1)[1] for e in effects if isinstance(e, Decision))


@pytest.mark.parametrize(
    ("delivered", "tiers"),
    [
        pytest.param(BY, [], id="exactly-at-the-promise"),
        pytest.param(BY + S, ["0"], id="one-second-late"),
        pytest.param(BY + H72, ["0"], id="exactly-3-days-late-no-claim"),
        pytest.param(BY + H72 + S, ["0", "1"], id="3-days-1s-late-a-to-z"),
    ],
)
def test_amazon_tiers(amazon: PolicyBook, delivered: dt.datetime, tiers: list[str]) -> None:
    BOOK["current"] = amazon
    _, effects = order(delivered, source="marketplace_export")
    assert decided(effects) == tiers
    claims = [e for e in effects if isinstance(e, OutboxMessage)]
    assert [c.topic for c in claims] == (["a_to_z.claim_eligible"] if "1" in tiers else [])


def test_amazon_timer_path_matches_the_event_path(amazon: PolicyBook) -> None:
    BOOK["current"] = amazon
    state, effects = order(None, source="marketplace_export")
    (first,) = [e for e in effects if isinstance(e, ScheduleDeadline)]
    assert first.due_at == BY
    fired = RULE.on_deadline(state, _due(first), amazon)
    second = [e for e in fired if isinstance(e, ScheduleDeadline)]
    assert [s.due_at for s in second] == [BY + H72]
    fired += RULE.on_deadline(state, _due(second[0]), amazon)
    _, late = order(BY + H72 + S, source="marketplace_export")
    by_timer = [e for e in fired if isinstance(e, Decision)]
    by_event = [e for e in late if isinstance(e, Decision)]
    assert by_timer == by_event


@pytest.mark.parametrize(
    ("source", "amount", "paid"),
    [
        pytest.param("appointment", 30000, 1500, id="5pct-of-300-is-15"),
        pytest.param("appointment", 5000, 500, id="5pct-of-50-is-2.5-min-5"),
        pytest.param("appointment", 200000, 5000, id="5pct-of-2000-is-100-max-50"),
        pytest.param("listing", 30000, None, id="only-appointments-are-judged"),
    ],
)
def test_douyin_appointment_payouts(
    book: PolicyBook, source: str, amount: int, paid: int | None
) -> None:
    BOOK["current"] = book
    _, effects = order(BY + S, source=source, amount=amount)
    payouts = [e for e in effects if isinstance(e, LedgerTransaction)]
    if paid is None:
        assert payouts == []
        assert decided(effects) == []
        return
    assert [p.postings[1].amount.amount for p in payouts] == [paid]


def _due(d: ScheduleDeadline) -> DueDeadline:
    return DueDeadline(
        d.deadline_id, d.rule_id, d.aggregate_key, d.due_at, d.pack, d.pack_version, dict(d.data)
    )
