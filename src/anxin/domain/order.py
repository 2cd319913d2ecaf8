"""Per-order state: the facts known about one order, folded from its events.

The fold is pure and, where the real world allows, insensitive to arrival order: scans are kept
sorted by time and id, timestamps are first-wins by time, so a redelivered or reordered stream
lands on the same state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import msgspec

from anxin.contract import events as ev
from anxin.domain.address import same_place
from anxin.domain.effects import Decision
from anxin.domain.money import Money
from anxin.domain.standing import Standing

# Statuses that prove the carrier holds (or held) the parcel; "unknown" counts, since the carrier
# reports on it, while "pending" and "info_received" are a label without a parcel.
NOT_MOVED = frozenset({"pending", "info_received"})
# Statuses that show the parcel left the pickup point for the network (hub or beyond).
DISPATCHED = frozenset(
    {"at_hub", "in_transit", "out_for_delivery", "delivered", "ready_for_pickup", "delivery_failed"}
)
FINAL = frozenset({"out_for_delivery", "delivered", "ready_for_pickup", "returned"})


class Scan(msgspec.Struct, frozen=True, gc=False, omit_defaults=True):
    at: dt.datetime
    event_id: str
    code: str = ""
    text: str = ""
    location: str = ""
    status: str = "unknown"  # anxin's normalized vocabulary (anxin.tracking)
    reason: str = ""
    fault: str = ""
    consignee: ev.Region | None = None  # the recipient on the carrier's waybill, if reported


class OtherOrder(msgspec.Struct, frozen=True, gc=False):
    """Another order already shipped under the same tracking number (found by the engine)."""

    order_id: str
    consumer_id: str | None
    destination: ev.Region | None


class Clone(msgspec.Struct, frozen=True, gc=False):
    """Another order's parcel whose trace this parcel's repeats, scan for scan, to delivery."""

    order_id: str
    carrier: str
    tracking_number: str
    at: dt.datetime  # when the copy became visible: this parcel's last-leg scan


class Parcel(msgspec.Struct):
    shipment_id: str
    carrier: str
    tracking_number: str
    created_at: dt.datetime
    origin_province: str = ""
    scans: list[Scan] = []
    shared_with: list[OtherOrder] = []  # earlier orders shipped under this number
    trace_print: str = ""  # fingerprint of the trace to the last leg, once it got there
    cloned: Clone | None = None

    def first_scan_at(self) -> dt.datetime | None:
        return self.scans[0].at if self.scans else None

    # Plain loops rather than next(generator): the rules ask these for every scan they see,
    # and a loop with an early return costs a third of a generator's set-up.

    def pickup_at(self) -> dt.datetime | None:
        """The carrier's first scan showing it holds the parcel: "shipped" in the rules."""
        for s in self.scans:
            if s.status not in NOT_MOVED:
                return s.at
        return None

    def dispatched_at(self) -> dt.datetime | None:
        """The first hub (or later) scan after pickup."""
        pickup = self.pickup_at()
        if pickup is None:
            return None
        for s in self.scans:
            if s.at >= pickup and s.status in DISPATCHED:
                return s.at
        return None

    def delivered_at(self) -> dt.datetime | None:
        for s in self.scans:
            if s.status == "delivered":
                return s.at
        return None

    def final_at(self) -> dt.datetime | None:
        """When the parcel reached its last leg (out for delivery, delivered, returned)."""
        for s in self.scans:
            if s.status in FINAL:
                return s.at
        return None


class Finding(msgspec.Struct, frozen=True, gc=False):
    """A decision a rule already took on this order (folded back so later rules see it)."""

    decision_id: str
    rule_id: str
    kind: str
    at: dt.datetime
    family: str = ""
    paid: int = 0

    @classmethod
    def of(cls, decision: Decision) -> Finding:
        payout = decision.outcome.get("payout")
        paid = int(payout["amount"]) if isinstance(payout, dict) else 0
        family = str(decision.outcome.get("family", ""))
        return cls(
            decision.decision_id, decision.rule_id, decision.kind, decision.decided_at, family, paid
        )


class AddressChange(msgspec.Struct, frozen=True, gc=False):
    at: dt.datetime
    event_id: str
    destination: ev.Region
    by: str


class Exemption(msgspec.Struct, frozen=True, gc=False):
    """The platform took the order out of the guarantees (consumer abuse, non-consumer purchase,
    stop-ship, force majeure): every clock judged once it is known is exempt; payouts already
    made stand."""

    at: dt.datetime
    reason: str


class AfterSale(msgspec.Struct):
    aftersale_id: str
    kind: str
    reason: str
    requested_at: dt.datetime
    amount: int
    currency: str
    status: str = "requested"  # requested / responded / escalated / return_shipped / ...
    responded_at: dt.datetime | None = None
    response: str | None = None
    escalated_at: dt.datetime | None = None
    return_shipped_at: dt.datetime | None = None
    return_received_at: dt.datetime | None = None
    return_condition: str | None = None
    resolved_at: dt.datetime | None = None
    outcome: str | None = None
    decided_by: str | None = None
    refunded: int = 0
    skus: list[str] = []
    damaged_percent: int | None = None  # a damage claim's share of bad items (§4.3)
    # The return parcel (the first return.shipped): return-freight insurance pays its fee.
    return_carrier: str = ""
    return_tracking: str = ""
    return_freight: int | None = None  # minor units, in the order's currency
    parcel_class: str = "small"


# Same-instant facts of one case apply in the order a case lives them.
CASE_FACT_RANK: dict[str, int] = {
    "aftersale.requested": 0,
    "aftersale.responded": 1,
    "aftersale.escalated": 2,
    "return.shipped": 3,
    "return.received": 4,
    "aftersale.resolved": 5,
}


class CaseFact(msgspec.Struct, frozen=True, gc=False, omit_defaults=True):
    """One after-sales event as its case needs it. ``AfterSale`` summarises a case as events
    arrive; these keep every fact (even one arriving before its request), sorted and free of
    duplicates, so the case can be replayed the same whatever the arrival order."""

    aftersale_id: str
    at: dt.datetime
    type: str  # the event type, e.g. "aftersale.responded"
    event_id: str
    what: str = ""  # request kind / response decision / escalating party / outcome / condition
    by: str = ""  # who responded / escalated / decided
    amount: int | None = None  # asked for (request) or refunded (resolution), minor units
    currency: str = ""
    payer: str | None = None  # who bears a platform decision

    def sort_key(self) -> tuple[dt.datetime, int, str]:
        return (self.at, CASE_FACT_RANK[self.type], self.event_id)


class OrderState(msgspec.Struct):
    order_id: str
    version: int = 0
    merchant_id: str | None = None
    consumer_id: str | None = None
    placed_at: dt.datetime | None = None
    paid_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str = ""  # as the canceller gave it (an admitted stock-out: "out_of_stock")
    amount: int | None = None
    amount_paid: int | None = None
    currency: str | None = None
    items: list[ev.Item] = []
    promises: list[ev.Promise] = []
    presale_ship_by: dt.datetime | None = None
    # The merchant's presale standing at placement, for a presale order: resolved by the engine
    # through its store port when the placement is ingested (rules read it, never the store).
    presale_standing: Standing | None = None
    # Its return-freight-insurance standing at placement (every order): a measure withdrawing
    # the privilege, or a refused daily grant, leaves the order uninsured.
    freight_standing: Standing | None = None
    destination: ev.Region | None = None  # as placed; changes are in address_changes
    address_changes: list[AddressChange] = []
    exemption: Exemption | None = None
    channel: str | None = None
    content_id: str | None = None  # the selling content the order came from
    parcels: list[Parcel] = []
    aftersales: list[AfterSale] = []
    aftersale_facts: list[CaseFact] = []  # sorted by CaseFact.sort_key
    review_stars: int | None = None
    reviewed_at: dt.datetime | None = None
    complaints: int = 0
    findings: list[Finding] = []

    # ------------------------------------------------------------ derived facts

    @property
    def status(self) -> str:
        """A status derived from facts (never stored on its own, so it cannot drift)."""
        if self.cancelled_at is not None:
            return "cancelled"
        if any(p.delivered_at() is not None for p in self.parcels):
            return "delivered"
        latest = {p.scans[-1].status for p in self.parcels if p.scans}
        if latest & {"returning", "returned"}:
            return "returning"
        if any(p.pickup_at() is not None for p in self.parcels):
            return "in_transit"
        if self.parcels:
            return "shipped"
        if self.paid_at is not None:
            return "paid"
        return "placed" if self.placed_at is not None else "unknown"

    def current_destination(self) -> ev.Region | None:
        """Where the order goes now: the latest address change, else the address placed."""
        return self.address_changes[-1].destination if self.address_changes else self.destination

    def addresses(self) -> list[ev.Region]:
        """Every address the order has had (a consignee matching any of them is no sign)."""
        first = [self.destination] if self.destination is not None else []
        return first + [c.destination for c in self.address_changes]

    def borrowed_from(self, parcel: Parcel) -> OtherOrder | None:
        """The earlier order whose number this parcel reuses, if the number was already another
        consumer's for another address (its scans are theirs, not this order's); None for a
        number of its own, or one shared with the same consumer or address (合并发货)."""
        if not parcel.shared_with:
            return None
        mine = self.addresses()
        for other in parcel.shared_with:
            there = other.destination
            if other.consumer_id == self.consumer_id:
                return None
            if there is not None and any(same_place(a, there) for a in mine):
                return None
        return parcel.shared_with[0]

    def paid(self) -> Money | None:
        if self.amount_paid is None or self.currency is None:
            return None
        return Money(self.amount_paid, self.currency)

    def shipped_at(self) -> dt.datetime | None:
        """When the goods left: the carrier's first pickup scan; the merchant's shipment click
        only when no carrier data exists at all (a label the carrier never scanned is not a
        shipment)."""
        pickups = [t for p in self.parcels if (t := p.pickup_at()) is not None]
        if pickups:
            return min(pickups)
        if self.parcels and not any(p.scans for p in self.parcels):
            return min(p.created_at for p in self.parcels)
        return None

    def delivered_at(self) -> dt.datetime | None:
        """When the first parcel was signed for."""
        times = [t for p in self.parcels if (t := p.delivered_at()) is not None]
        return min(times) if times else None

    def paid_for_family(self, families: frozenset[str]) -> int:
        """Money already paid on this order for findings of these families."""
        return sum(f.paid for f in self.findings if f.family in families)

    def decided(self, decision_id: str) -> bool:
        # Most orders have no findings: answer those without setting up a generator.
        return bool(self.findings) and any(f.decision_id == decision_id for f in self.findings)

    def record(self, finding: Finding) -> None:
        if not self.decided(finding.decision_id):
            self.findings.append(finding)

    def parcel(self, carrier: str, tracking_number: str) -> Parcel | None:
        for p in self.parcels:
            if p.carrier == carrier and p.tracking_number == tracking_number:
                return p
        return None

    def case_facts(self, aftersale_id: str) -> list[CaseFact]:
        return [f for f in self.aftersale_facts if f.aftersale_id == aftersale_id]

    def add_case_fact(self, fact: CaseFact) -> None:
        facts = self.aftersale_facts
        if any(f.event_id == fact.event_id for f in facts):
            return  # the log absorbs duplicate ids; this guards a replayed fold
        facts.append(fact)
        if len(facts) > 1 and facts[-2].sort_key() > fact.sort_key():
            facts.sort(key=CaseFact.sort_key)

    def aftersale(self, aftersale_id: str) -> AfterSale | None:
        for a in self.aftersales:
            if a.aftersale_id == aftersale_id:
                return a
        return None


def _earliest(current: dt.datetime | None, new: dt.datetime) -> dt.datetime:
    return new if current is None or new < current else current


Classifier = Callable[[str, str, str], tuple[str, str, str]]


def unclassified(carrier: str, code: str, text: str) -> tuple[str, str, str]:
    return ("unknown", "", "")


def case_fact(event: ev.Event) -> CaseFact | None:
    """The case fact an after-sales event states; None for any other event."""
    at, i = event.occurred_at, event.id
    match event:
        case ev.AfterSaleRequested(payload=p):
            m = p.amount
            return CaseFact(p.aftersale_id, at, event.type, i, p.kind, "", m.amount, m.currency)
        case ev.AfterSaleResponded(payload=p):
            return CaseFact(p.aftersale_id, at, event.type, i, p.decision, p.by)
        case ev.AfterSaleEscalated(payload=p):
            return CaseFact(p.aftersale_id, at, event.type, i, "", p.by)
        case ev.ReturnShipped(payload=p):
            return CaseFact(p.aftersale_id, at, event.type, i)
        case ev.ReturnReceived(payload=p):
            return CaseFact(p.aftersale_id, at, event.type, i, p.condition)
        case ev.AfterSaleResolved(payload=p):
            r = p.refund
            amount, currency = (r.amount, r.currency) if r is not None else (None, "")
            return CaseFact(
                p.aftersale_id, at, event.type, i, p.outcome, p.decided_by, amount, currency,
                p.payer,
            )  # fmt: skip
    return None


def apply(state: OrderState, event: ev.Event, classify: Classifier = unclassified) -> OrderState:
    """Fold one order-scoped event into the state (mutates and returns it).

    ``classify(carrier, code, text) -> (status, reason, fault)`` normalizes carrier scans
    (``anxin.tracking``); the engine passes the real one."""
    state.version += 1
    at = event.occurred_at
    match event:  # the most frequent fact first
        case ev.TrackingScanned(payload=p):
            parcel = state.parcel(p.carrier, p.tracking_number)
            if parcel is None:  # the engine resolves parcels before folding; this is a guard
                raise ValueError(f"scan {event.id} names no parcel of order {state.order_id}")
            if parcel.shared_with and state.borrowed_from(parcel) is not None:
                return state  # another consumer's parcel: its scans do not ship this order
            status, reason, fault = classify(p.carrier, p.code, p.text)
            scan = Scan(
                at, event.id, p.code, p.text, p.location, status, reason, fault, p.consignee
            )
            scans = parcel.scans
            scans.append(scan)
            if len(scans) > 1 and (scans[-2].at, scans[-2].event_id) > (at, event.id):
                scans.sort(key=lambda s: (s.at, s.event_id))  # a late-arriving earlier scan
        case ev.OrderPlaced(payload=p):
            state.placed_at = _earliest(state.placed_at, at)
            state.merchant_id, state.consumer_id = p.merchant_id, p.consumer_id
            state.amount, state.currency = p.amount.amount, p.amount.currency
            state.items = list(p.items)
            state.promises = _merge_promises(state.promises, p.promises)
            state.presale_ship_by = p.presale_ship_by
            state.destination = p.destination
            state.channel = p.channel
            state.content_id = p.content_id
        case ev.OrderPaid(payload=p):
            state.paid_at = _earliest(state.paid_at, at)
            state.amount_paid, state.currency = p.amount_paid.amount, p.amount_paid.currency
            state.promises = _merge_promises(state.promises, p.promises)
        case ev.OrderCancelled(payload=p):
            if state.cancelled_at is None or at < state.cancelled_at:
                state.cancelled_at, state.cancelled_by = at, p.by
                state.cancel_reason = p.reason
        case ev.OrderAddressChanged(payload=p):
            if all(c.event_id != event.id for c in state.address_changes):
                state.address_changes.append(AddressChange(at, event.id, p.destination, p.by))
                state.address_changes.sort(key=lambda c: (c.at, c.event_id))
        case ev.OrderExempted(payload=p):
            if state.exemption is None or at < state.exemption.at:
                state.exemption = Exemption(at, p.reason)
        case ev.ShipmentCreated(payload=p):
            if state.parcel(p.carrier, p.tracking_number) is None:
                origin = p.origin.province if p.origin else ""
                state.parcels.append(
                    Parcel(p.shipment_id, p.carrier, p.tracking_number, at, origin)
                )
                state.parcels.sort(key=lambda x: (x.created_at, x.shipment_id))
        case ev.AfterSaleRequested(payload=p):
            state.add_case_fact(_case_fact(event))
            if state.aftersale(p.aftersale_id) is None:
                state.aftersales.append(
                    AfterSale(
                        p.aftersale_id, p.kind, p.reason, at, p.amount.amount, p.amount.currency,
                        skus=list(p.skus), damaged_percent=p.damaged_percent,
                    )
                )  # fmt: skip
        case ev.AfterSaleResponded(payload=p):
            state.add_case_fact(_case_fact(event))
            if (a := state.aftersale(p.aftersale_id)) is not None:
                a.responded_at = _earliest(a.responded_at, at)
                a.response, a.status = p.decision, "responded"
        case ev.AfterSaleEscalated(payload=p):
            state.add_case_fact(_case_fact(event))
            if (a := state.aftersale(p.aftersale_id)) is not None:
                a.escalated_at = _earliest(a.escalated_at, at)
                a.status = "escalated"
        case ev.ReturnShipped(payload=p):
            state.add_case_fact(_case_fact(event))
            if (a := state.aftersale(p.aftersale_id)) is not None:
                if a.return_shipped_at is None or at < a.return_shipped_at:
                    a.return_carrier, a.return_tracking = p.carrier, p.tracking_number
                    a.return_freight = p.freight.amount if p.freight else None
                    a.parcel_class = p.parcel_class
                a.return_shipped_at = _earliest(a.return_shipped_at, at)
                a.status = "return_shipped"
        case ev.ReturnReceived(payload=p):
            state.add_case_fact(_case_fact(event))
            if (a := state.aftersale(p.aftersale_id)) is not None:
                a.return_received_at = _earliest(a.return_received_at, at)
                a.return_condition, a.status = p.condition, "return_received"
        case ev.AfterSaleResolved(payload=p):
            state.add_case_fact(_case_fact(event))
            if (a := state.aftersale(p.aftersale_id)) is not None:
                a.resolved_at = _earliest(a.resolved_at, at)
                a.outcome, a.decided_by, a.status = p.outcome, p.decided_by, "resolved"
                a.refunded = p.refund.amount if p.refund else 0
        case ev.ReviewPosted(payload=p):
            state.review_stars, state.reviewed_at = p.stars, at
            state.merchant_id = state.merchant_id or p.merchant_id
        case ev.ComplaintFiled():
            state.complaints += 1
        case _:
            pass  # chat and merchant facts live elsewhere; the log keeps them
    return state


def _case_fact(event: ev.Event) -> CaseFact:
    fact = case_fact(event)
    assert fact is not None  # called only for after-sales events
    return fact


def _merge_promises(current: list[ev.Promise], new: list[ev.Promise]) -> list[ev.Promise]:
    if not new:
        return current
    merged = list(current)
    for promise in new:
        if promise not in merged:
            merged.append(promise)
    return merged


_state_encoder = msgspec.json.Encoder()
_state_decoder = msgspec.json.Decoder(OrderState)


def encode_state(state: OrderState) -> bytes:
    return _state_encoder.encode(state)


def decode_state(raw: bytes | str) -> OrderState:
    return _state_decoder.decode(raw)
