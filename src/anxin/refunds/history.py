"""A consumer's history, folded from contract events only (never the simulator's truth).

Every fact keeps the instant it became visible (the event's ``occurred_at``), so features can be
read *as of* any request instant by dropping what came at or after it (``features``). The fold
is pure: events in, dated facts out; any arrival order gives the same facts, because each
derived fact is dated by the event that revealed it, not by when it was folded.

- ``OrderFacts``: what a request needs to know of its order (amount, category, address, when it
  shipped, was first scanned, delivered);
- ``ConsumerFacts``: orders, after-sales requests, refunds, abuse findings, complaints,
  addresses of one consumer;
- ``Buckets``: per-day counts of a merchant's or a category's orders, requests and findings;
- ``Case``: one after-sales request as the stream tells it (for labels and replays).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import msgspec

from anxin.clock import to_us
from anxin.contract import events as ev
from anxin.engine.scans import classify_scan

DAY_US = 86_400_000_000
Finding = Literal[
    "return_empty",  # the return arrived empty
    "return_wrong_item",
    "return_missing_parts",
    "refused_after_escalation",  # the platform refused the consumer after an escalation
    "not_received_after_delivery",  # "not received" claimed on a parcel scanned delivered
    "return_never_came",  # a return agreed, never shipped, the case closed
]
ABUSIVE_CONDITIONS: dict[str, Finding] = {
    "empty": "return_empty",
    "wrong_item": "return_wrong_item",
    "missing_parts": "return_missing_parts",
}


class OrderFacts(msgspec.Struct, kw_only=True):
    order_id: str
    merchant_id: str = ""
    consumer_id: str = ""
    amount: int = 0  # paid (else placed) amount, minor units
    currency: str = ""
    category: str = ""
    address: str = ""
    placed_us: int = 0
    consumer_since_us: int | None = None
    shipped_us: int | None = None  # first real tracking number uploaded
    first_scan_us: int | None = None
    delivered_us: int | None = None  # first scan the carrier calls delivered


class Case(msgspec.Struct, kw_only=True):
    """One after-sales request and what the stream later says about it."""

    aftersale_id: str
    order_id: str
    kind: str
    reason: str
    amount: int
    requested_us: int
    responded_us: int | None = None
    response: str | None = None
    escalated_us: int | None = None
    return_shipped_us: int | None = None
    return_carrier: str = ""
    return_number: str = ""
    return_first_scan_us: int | None = None
    return_received_us: int | None = None
    return_condition: str | None = None
    resolved_us: int | None = None
    outcome: str | None = None
    decided_by: str | None = None
    refunded: int = 0


class ConsumerFacts(msgspec.Struct, kw_only=True, omit_defaults=True):
    first_us: int | None = None  # first order seen
    since_us: int | None = None  # account opened, when the marketplace says so
    orders: list[tuple[int, int]] = []  # (placed, amount)
    requests: list[tuple[int, int, str]] = []  # (requested, amount, reason)
    refunds: list[tuple[int, int]] = []  # (resolved, refunded amount)
    findings: list[tuple[int, str]] = []  # (visible at, Finding)
    complaints: list[int] = []
    addresses: list[tuple[int, str]] = []  # (first used, address key)


class Buckets(msgspec.Struct, omit_defaults=True):
    """Per UTC day: [orders, requests, findings]; features read whole days before the request."""

    days: dict[int, list[int]] = {}

    def add(self, us: int, slot: int) -> None:
        day = us // DAY_US
        row = self.days.get(day)
        if row is None:
            row = self.days[day] = [0, 0, 0]
        row[slot] += 1


class AddressFacts(msgspec.Struct, omit_defaults=True):
    """Which consumers used an address, and since when (rings of accounts share addresses)."""

    first_us: dict[str, int] = {}


def address_key(dest: ev.Region | None, address_id: str | None = None) -> str:
    """A key precise enough to say two accounts share a doorstep: the marketplace's address id,
    else a postal code; a city alone is shared by millions and says nothing ("")."""
    if address_id:
        return f"id:{address_id}"
    if dest is None or not dest.postal_code:
        return ""
    return f"{dest.country}|{dest.province}|{dest.city}|{dest.postal_code}"


class History(msgspec.Struct, kw_only=True):
    """Everything the fold knows; ``fold`` fills it."""

    orders: dict[str, OrderFacts] = {}
    cases: dict[str, Case] = {}
    consumers: dict[str, ConsumerFacts] = {}
    merchants: dict[str, Buckets] = {}
    categories: dict[str, Buckets] = {}
    addresses: dict[str, AddressFacts] = {}


def _consumer(h: History, consumer_id: str) -> ConsumerFacts:
    c = h.consumers.get(consumer_id)
    if c is None:
        c = h.consumers[consumer_id] = ConsumerFacts()
    return c


def _buckets(table: dict[str, Buckets], key: str) -> Buckets:
    b = table.get(key)
    if b is None:
        b = table[key] = Buckets()
    return b


def fold(events: Iterable[ev.Event]) -> History:
    """Fold a stream (any order) into a history. Order and parcel facts are gathered first, so
    a request can be compared with its parcel's scans whatever order the two arrived in."""
    h = History()
    later: list[ev.Event] = []
    parcels: dict[tuple[str, str], str] = {}
    scans: list[ev.TrackingScanned] = []
    for e in events:
        if isinstance(e, ev.OrderPlaced):
            _placed(h, e)
        elif isinstance(e, ev.OrderPaid):
            o = h.orders.get(e.payload.order_id)
            if o is not None:
                o.amount = e.payload.amount_paid.amount
        elif isinstance(e, ev.ShipmentCreated):
            p = e.payload
            parcels[(p.carrier, p.tracking_number)] = p.order_id
            o = h.orders.get(p.order_id)
            us = to_us(e.occurred_at)
            if o is not None and (o.shipped_us is None or us < o.shipped_us):
                o.shipped_us = us
        elif isinstance(e, ev.TrackingScanned):
            scans.append(e)
        else:
            later.append(e)
    returns: dict[tuple[str, str], Case] = {}
    for e in later:
        _after(h, e, returns)
    for s in scans:
        _scan(h, s, parcels, returns)
    for case in h.cases.values():
        _findings(h, case)
        _refunded(h, case)
    return h


def _placed(h: History, e: ev.OrderPlaced) -> None:
    p = e.payload
    us = to_us(e.occurred_at)
    since = p.consumer_since
    addr = address_key(p.destination, p.destination.address_id if p.destination else None)
    category = p.items[0].category if p.items else ""
    h.orders[p.order_id] = OrderFacts(
        order_id=p.order_id,
        merchant_id=p.merchant_id,
        consumer_id=p.consumer_id,
        amount=p.amount.amount,
        currency=p.amount.currency,
        category=category,
        address=addr,
        placed_us=us,
        consumer_since_us=None if since is None else to_us(since),
    )
    c = _consumer(h, p.consumer_id)
    c.first_us = us if c.first_us is None else min(c.first_us, us)
    if since is not None:
        c.since_us = to_us(since)
    c.orders.append((us, p.amount.amount))
    if addr:
        if all(a != addr for _, a in c.addresses):
            c.addresses.append((us, addr))
        seen = h.addresses.setdefault(addr, AddressFacts()).first_us
        seen[p.consumer_id] = min(seen.get(p.consumer_id, us), us)
    _buckets(h.merchants, p.merchant_id).add(us, 0)
    _buckets(h.categories, category).add(us, 0)


def _after(h: History, e: ev.Event, returns: dict[tuple[str, str], Case]) -> None:
    us = to_us(e.occurred_at)
    if isinstance(e, ev.AfterSaleRequested):
        p = e.payload
        h.cases[p.aftersale_id] = Case(
            aftersale_id=p.aftersale_id,
            order_id=p.order_id,
            kind=p.kind,
            reason=p.reason,
            amount=p.amount.amount,
            requested_us=us,
        )
        o = h.orders.get(p.order_id)
        if o is not None:
            _consumer(h, o.consumer_id).requests.append((us, p.amount.amount, p.reason))
            _buckets(h.merchants, o.merchant_id).add(us, 1)
            _buckets(h.categories, o.category).add(us, 1)
        return
    if isinstance(e, ev.ComplaintFiled):
        _consumer(h, e.payload.consumer_id).complaints.append(us)
        return
    aid = getattr(getattr(e, "payload", None), "aftersale_id", None)
    case = h.cases.get(aid) if aid else None
    if case is None:
        return
    if isinstance(e, ev.AfterSaleResponded):
        if case.responded_us is None:
            case.responded_us, case.response = us, e.payload.decision
    elif isinstance(e, ev.AfterSaleEscalated):
        case.escalated_us = us if case.escalated_us is None else case.escalated_us
    elif isinstance(e, ev.ReturnShipped):
        case.return_shipped_us = us
        case.return_carrier, case.return_number = e.payload.carrier, e.payload.tracking_number
        returns[(e.payload.carrier, e.payload.tracking_number)] = case
    elif isinstance(e, ev.ReturnReceived):
        case.return_received_us, case.return_condition = us, e.payload.condition
    elif isinstance(e, ev.AfterSaleResolved):
        r = e.payload
        case.resolved_us, case.outcome, case.decided_by = us, r.outcome, r.decided_by
        case.refunded = r.refund.amount if r.refund is not None else 0


def _scan(
    h: History,
    s: ev.TrackingScanned,
    parcels: dict[tuple[str, str], str],
    returns: dict[tuple[str, str], Case],
) -> None:
    p = s.payload
    us = to_us(s.occurred_at)
    back = returns.get((p.carrier, p.tracking_number))
    if back is not None:  # a return parcel: its first scan is the drop-off
        if back.return_first_scan_us is None or us < back.return_first_scan_us:
            back.return_first_scan_us = us
        return
    oid = parcels.get((p.carrier, p.tracking_number))
    o = h.orders.get(oid) if oid else None
    if o is None:
        return
    if o.first_scan_us is None or us < o.first_scan_us:
        o.first_scan_us = us
    status = classify_scan(p.carrier, p.code, p.text)[0]
    if status == "delivered" and (o.delivered_us is None or us < o.delivered_us):
        o.delivered_us = us


def _refunded(h: History, case: Case) -> None:
    """A refund is the consumer's fact from its resolution (once per case, whatever repeats)."""
    o = h.orders.get(case.order_id)
    if o is not None and case.resolved_us is not None and case.refunded > 0:
        _consumer(h, o.consumer_id).refunds.append((case.resolved_us, case.refunded))


def _findings(h: History, case: Case) -> None:
    """Abuse findings a case reveals, each dated when the stream showed it."""
    o = h.orders.get(case.order_id)
    if o is None:
        return
    for at, finding in case_findings(case, o):
        _consumer(h, o.consumer_id).findings.append((at, finding))
        _buckets(h.merchants, o.merchant_id).add(at, 2)
        _buckets(h.categories, o.category).add(at, 2)


def case_findings(case: Case, order: OrderFacts) -> list[tuple[int, Finding]]:
    found: list[tuple[int, Finding]] = []
    if case.return_condition in ABUSIVE_CONDITIONS and case.return_received_us is not None:
        found.append((case.return_received_us, ABUSIVE_CONDITIONS[case.return_condition]))
    if (
        case.escalated_us is not None
        and case.outcome == "refused"
        and case.decided_by == "platform"
        and case.resolved_us is not None
    ):
        found.append((case.resolved_us, "refused_after_escalation"))
    if claims_not_received_after_delivery(case.reason, order, case.requested_us):
        found.append((case.requested_us, "not_received_after_delivery"))
    if (
        case.response == "agree_return"
        and case.return_shipped_us is None
        and case.outcome == "closed"
        and case.resolved_us is not None
    ):
        found.append((case.resolved_us, "return_never_came"))
    return found


def claims_not_received_after_delivery(reason: str, order: OrderFacts, at_us: int) -> bool:
    return (
        reason == "not_received" and order.delivered_us is not None and order.delivered_us < at_us
    )
