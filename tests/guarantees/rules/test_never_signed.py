"""Never signed: 365 days after payment without a delivery, the order is refunded automatically."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.contract import events as ev
from anxin.domain.effects import Decision, Effect, OutboxMessage
from anxin.domain.order import OrderState, apply
from anxin.guarantees.rules.never_signed import NeverSigned
from anxin.policy.pack import PolicyBook
from tests.guarantees.rules.clock import tick_all

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2025, 10, 5, 10, 0, tzinfo=CST)
DUE = PAID + dt.timedelta(days=365)
S = dt.timedelta(seconds=1)
RULE = NeverSigned()
STATUS = {"pick": "picked_up", "sign": "delivered"}


def run(
    book: PolicyBook, delivered: dt.datetime | None, cancelled: dt.datetime | None
) -> list[Effect]:
    money = ev.Money(1000, "CNY")
    item = ev.Item(sku="s", quantity=1, unit_price=money)
    placed = ev.OrderPlacedPayload(
        order_id="O", merchant_id="M", consumer_id="C", items=[item], amount=money
    )
    ship = ev.ShipmentCreatedPayload(
        order_id="O", shipment_id="S", carrier="X", tracking_number="1"
    )
    evs: list[ev.Event] = [
        ev.OrderPlaced(id="p", occurred_at=PAID, source="t", payload=placed),
        ev.OrderPaid(
            id="$",
            occurred_at=PAID,
            source="t",
            payload=ev.OrderPaidPayload(order_id="O", amount_paid=money),
        ),
        ev.ShipmentCreated(id="s", occurred_at=PAID + S, source="t", payload=ship),
    ]
    if delivered is not None:
        scan = ev.TrackingScanPayload(carrier="X", tracking_number="1", code="sign")
        evs.append(ev.TrackingScanned(id="k", occurred_at=delivered, source="t", payload=scan))
    if cancelled is not None:
        cancel = ev.OrderCancelledPayload(order_id="O", by="platform")
        evs.append(ev.OrderCancelled(id="c", occurred_at=cancelled, source="t", payload=cancel))
    state, out = OrderState("O"), []
    for e in evs:
        apply(state, e, lambda carrier, code, text: (STATUS.get(code, "unknown"), "", ""))
        if isinstance(e, RULE.event_types):
            out += RULE.on_event(state, e, book)
    return tick_all(RULE, state, out, book, DUE + dt.timedelta(days=30))


@pytest.mark.parametrize(
    ("delivered", "cancelled", "refunded"),
    [
        pytest.param(DUE, None, False, id="signed-exactly-at-365-days"),
        pytest.param(DUE + S, None, True, id="signed-one-second-too-late"),
        pytest.param(None, None, True, id="never-signed"),
        pytest.param(None, DUE, False, id="cancelled-exactly-at-the-deadline"),
        pytest.param(None, DUE + S, True, id="cancelled-after-the-deadline"),
    ],
)
def test_never_signed(
    book: PolicyBook, delivered: dt.datetime | None, cancelled: dt.datetime | None, refunded: bool
) -> None:
    effects = run(book, delivered, cancelled)
    decisions = [e for e in effects if isinstance(e, Decision)]
    refunds = [e for e in effects if isinstance(e, OutboxMessage)]
    assert (len(decisions), len(refunds)) == ((1, 1) if refunded else (0, 0))
    if refunded:
        assert decisions[0].decided_at == DUE
        assert refunds[0].topic == "refund.auto_approved"
