"""What an after-sales case learns: the contract's after-sales events, plus timer firings.

Facts are plain values (no I/O). ``fact_of`` translates a contract event, given the order it
belongs to, because a request alone does not say how much was paid or whether the goods left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from anxin.aftersales.config import TimerName
from anxin.contract import events as ev
from anxin.domain.order import OrderState

Kind = Literal["refund_only", "return_refund", "exchange"]
Payer = Literal["merchant", "carrier", "platform"]


@dataclass(frozen=True, slots=True)
class Requested:
    at: dt.datetime
    aftersale_id: str
    kind: Kind
    amount: int  # asked for, integer minor units
    currency: str
    # What may still be refunded on the order (paid less refunds granted to other cases): no
    # case may grant more.
    refundable: int
    shipped: bool


@dataclass(frozen=True, slots=True)
class Responded:
    at: dt.datetime
    by: Literal["merchant", "system"]
    decision: Literal["agree", "refuse", "agree_return", "propose"]


@dataclass(frozen=True, slots=True)
class Escalated:
    at: dt.datetime
    by: Literal["consumer", "merchant"]


@dataclass(frozen=True, slots=True)
class ReturnShipped:
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class ReturnReceived:
    at: dt.datetime
    condition: str


@dataclass(frozen=True, slots=True)
class Resolved:
    at: dt.datetime
    outcome: Literal["refunded", "refused", "exchanged", "withdrawn", "closed"]
    decided_by: Literal["merchant", "platform", "system", "consumer"]
    refund: int | None = None  # minor units; None: the amount asked for
    # Who bears a platform decision (the contract's optional ``payer``).
    payer: Payer | None = None


@dataclass(frozen=True, slots=True)
class TimerFired:
    at: dt.datetime
    timer: TimerName


Fact = Requested | Responded | Escalated | ReturnShipped | ReturnReceived | Resolved | TimerFired


def fact_of(event: ev.AnyEvent, order: OrderState) -> Fact | None:
    """The fact an after-sales event states about its case; None for any other event.

    ``order`` is the order as folded *before* the event, so a request sees the refunds already
    granted to the order's other cases."""
    at = event.occurred_at
    match event:
        case ev.AfterSaleRequested(payload=p):
            paid = order.amount_paid or 0
            granted = sum(a.refunded for a in order.aftersales if a.aftersale_id != p.aftersale_id)
            return Requested(
                at,
                p.aftersale_id,
                p.kind,
                p.amount.amount,
                p.amount.currency,
                refundable=max(0, paid - granted),
                shipped=order.shipped_at() is not None,
            )
        case ev.AfterSaleResponded(payload=p):
            return Responded(at, p.by, p.decision)
        case ev.AfterSaleEscalated(payload=p):
            return Escalated(at, p.by)
        case ev.ReturnShipped():
            return ReturnShipped(at)
        case ev.ReturnReceived(payload=p):
            return ReturnReceived(at, p.condition)
        case ev.AfterSaleResolved(payload=p):
            refund = p.refund.amount if p.refund is not None else None
            return Resolved(at, p.outcome, p.decided_by, refund, p.payer)
    return None
