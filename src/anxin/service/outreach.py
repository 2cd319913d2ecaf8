"""Pre-identification over events (issue 14): orders folded from a stream as the engine folds
them, their ship-by under the pack, and the first contact the model calls for — for the store's
run, for training, and for the simulator's consumers (``Outreach`` is the simulator's hook:
a consumer reached before they would have written may not write).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from anxin.contract import events as ev
from anxin.domain.order import OrderState, apply
from anxin.engine.scans import classify_scan
from anxin.guarantees.rules.late_shipment import binding_at_payment
from anxin.policy.pack import PolicyBook, PolicyPack
from anxin.service.proactive import (
    RULE_ID,
    Contact,
    ProactiveModel,
    ProactiveSettings,
    first_contact,
    packaged_model,
)

_ORDER_TYPES = (ev.OrderPlaced, ev.OrderPaid, ev.OrderCancelled, ev.ShipmentCreated,
                ev.TrackingScanned, ev.AfterSaleRequested, ev.AfterSaleResolved)  # fmt: skip


def fold(events: Iterable[ev.Event]) -> dict[str, OrderState]:
    """Orders folded from ``events`` (any order of arrival; scans find their order through
    its shipment, as the engine resolves them, also when the carrier scanned the parcel before
    the merchant registered it; a scan of an unknown parcel is left out)."""
    found = sorted(
        (e for e in events if isinstance(e, _ORDER_TYPES)),
        key=lambda e: (not isinstance(e, ev.ShipmentCreated), e.occurred_at, e.id),
    )
    states: dict[str, OrderState] = {}
    parcels: dict[tuple[str, str], str] = {}
    for e in found:
        if isinstance(e, ev.TrackingScanned):
            oid = parcels.get((e.payload.carrier, e.payload.tracking_number))
            if oid is None:
                continue
        else:
            oid = e.payload.order_id
            if isinstance(e, ev.ShipmentCreated):
                parcels.setdefault((e.payload.carrier, e.payload.tracking_number), oid)
        state = states.get(oid)
        if state is None:
            state = states[oid] = OrderState(order_id=oid)
        apply(state, e, classify_scan)
    return states


def ship_by(state: OrderState, pack: PolicyPack) -> dt.datetime | None:
    if state.paid_at is None or state.placed_at is None:
        return None
    return binding_at_payment(state, pack).due_at


def settings_of(pack: PolicyPack) -> ProactiveSettings:
    found = pack.rule(RULE_ID)
    if not isinstance(found, ProactiveSettings):
        raise LookupError(f"pack {pack.name} {pack.version} has no rules.{RULE_ID}")
    return found


def contact_of(
    state: OrderState, book: PolicyBook, model: ProactiveModel, until: dt.datetime | None = None
) -> Contact | None:
    """The order's first contact under the pack in force at its payment."""
    if state.paid_at is None:
        return None
    pack = book.in_force_or_first(state.paid_at)
    due = ship_by(state, pack)
    if due is None:
        return None
    return first_contact(state, due, model, settings_of(pack), pack.calendar.zone, until)


@dataclass
class Outreach:
    """The simulator's hook: when anxin would first reach the consumer of an order whose
    events so far are given (epoch seconds), and every contact it made (for the evaluation)."""

    book: PolicyBook
    model: ProactiveModel = field(default_factory=packaged_model)
    contacts: dict[str, int] = field(default_factory=dict)

    def first_contact(self, order_id: str, events: Sequence[ev.Event]) -> int | None:
        state = fold(events).get(order_id)
        if state is None:
            return None
        got = contact_of(state, self.book, self.model)
        if got is None:
            return None
        at = int(got.at.timestamp())
        self.contacts[order_id] = at
        return at
