"""Contract events become facts; a request learns what the order still has refundable."""

from __future__ import annotations

import datetime as dt

from anxin.aftersales.facts import Requested, Resolved, fact_of
from anxin.contract import events as ev
from anxin.contract.decode import decode_event
from anxin.domain.order import AfterSale, OrderState

T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def test_a_request_sees_what_other_cases_were_granted() -> None:
    order = OrderState(
        "o-1",
        amount_paid=10_000,
        currency="CNY",
        aftersales=[AfterSale("as-0", "refund_only", "x", T0, 3_000, "CNY", refunded=3_000)],
    )
    event = ev.AfterSaleRequested(
        id="e-1",
        occurred_at=T0,
        source="test",
        payload=ev.AfterSaleRequestedPayload(
            aftersale_id="as-1",
            order_id="o-1",
            kind="refund_only",
            reason="quality",
            amount=ev.Money(amount=5_000, currency="CNY"),
        ),
    )
    assert fact_of(event, order) == Requested(T0, "as-1", "refund_only", 5_000, "CNY", 7_000, False)


def test_a_resolution_carries_its_refund_and_no_payer() -> None:
    event = ev.AfterSaleResolved(
        id="e-2",
        occurred_at=T0,
        source="test",
        payload=ev.AfterSaleResolvedPayload(
            aftersale_id="as-1",
            order_id="o-1",
            outcome="refunded",
            decided_by="platform",
            refund=ev.Money(amount=4_000, currency="CNY"),
        ),
    )
    assert fact_of(event, OrderState("o-1")) == Resolved(T0, "refunded", "platform", 4_000)


def test_a_resolution_passes_on_the_payer_the_platform_named() -> None:
    body = (
        b'{"id": "e-3", "type": "aftersale.resolved", "occurred_at": "2026-11-23T10:00:00Z",'
        b' "source": "test", "payload": {"aftersale_id": "as-1", "order_id": "o-1",'
        b' "outcome": "refunded", "decided_by": "platform", "payer": "carrier"}}'
    )
    event = decode_event(body)
    assert isinstance(event, ev.AfterSaleResolved)
    assert fact_of(event, OrderState("o-1")) == Resolved(
        T0, "refunded", "platform", None, "carrier"
    )
    # an event written before the field existed still decodes: no payer
    old = decode_event(body.replace(b', "payer": "carrier"', b""))
    assert isinstance(old, ev.AfterSaleResolved)
    assert old.payload.payer is None
    refused = decode_event(body.replace(b'"carrier"', b'"consumer"'))
    assert not isinstance(refused, ev.AfterSaleResolved)  # only the three payers exist
