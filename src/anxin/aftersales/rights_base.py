"""What the after-sales rights share: which items a case concerns, what they cost, when the
order was signed for, and a decision in one call.

Pure: no I/O, no clock. Every right reads its pack section from the version in force when the
order was paid (the consumer bought under those terms), like the guarantee rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from anxin.contract import events as ev
from anxin.domain.money import Money
from anxin.domain.order import AfterSale, OrderState
from anxin.domain.wording import Text
from anxin.guarantees.rules.payout import order_decision


def items_of(state: OrderState, skus: Sequence[str]) -> list[ev.Item]:
    """The order's items a case names (all of them when it names none, or none that match)."""
    named = [i for i in state.items if i.sku in skus] if skus else []
    return named or list(state.items)


def item_paid(state: OrderState, skus: Sequence[str]) -> Money | None:
    """What the consumer actually paid (实付) for the named items: the order's paid amount shared
    pro rata to the items' list value, truncated to the minor unit (no rule says to round, so
    nothing is granted beyond what was paid). The whole paid amount when the case names no item
    or every item."""
    paid = state.paid()
    if paid is None:
        return None
    items = items_of(state, skus)
    total = sum(i.unit_price.amount * i.quantity for i in state.items)
    part = sum(i.unit_price.amount * i.quantity for i in items)
    if not state.items or total <= 0 or part >= total:
        return paid
    return Money(int(Fraction(paid.amount * part, total)), paid.currency)


def excluded(items: Sequence[ev.Item], categories: Sequence[str]) -> list[ev.Item]:
    """The items whose category the pack excludes."""
    banned = set(categories)
    return [i for i in items if i.category and i.category in banned]


def categories_text(items: Sequence[ev.Item]) -> Text:
    names = sorted({i.category for i in items if i.category})
    return Text("、".join(names), ", ".join(names))


def day_after(t: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """00:00 of the local day after ``t`` in ``zone`` (a clock that starts "the day after")."""
    local = t.astimezone(zone)
    return dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=zone)


def shipped_click(state: OrderState) -> dt.datetime | None:
    """The merchant's ship click: the first shipment created (a real tracking number)."""
    return min((p.created_at for p in state.parcels), default=None)


def shipped_before(state: OrderState, at: dt.datetime) -> bool:
    """Whether a real tracking number existed at ``at`` (reorder-safe: by the click's time)."""
    click = shipped_click(state)
    return click is not None and click <= at


# A right's decision is any rule's decision on the order.
decide = order_decision


def words(text: Text) -> dict[str, str]:
    """A sentence as a decision's outcome carries it (JSON)."""
    return {"zh": text.zh, "en": text.en}


def case_inputs(case: AfterSale) -> dict[str, Any]:
    return {
        "aftersale_id": case.aftersale_id,
        "kind": case.kind,
        "reason": case.reason,
        "requested_at": case.requested_at,
    }
