"""The engine spine: ingest → event log → per-order state → rules → effects, in one transaction.

``Engine.ingest`` takes one micro-batch of raw events. Inside a single store transaction it
decodes and validates each event (bad ones go to the dead-letter store with a precise error),
drops redeliveries (same id, same content) and reports conflicts (same id, other content),
appends the new events to the log, folds them into per-order state, runs the rules and writes
their decisions, ledger transactions, outbox messages and deadlines. A crash anywhere inside
rolls the whole batch back; re-ingesting it lands on exactly the same rows.

``Engine.tick(now)`` fires every deadline due at ``now`` exactly once, the same way.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from anxin.clock import Clock, SystemClock, to_us
from anxin.contract import events as ev
from anxin.contract.decode import ContractError, Rejected, decode_event, encode_event
from anxin.domain import ledger
from anxin.domain import merchant as merchant_fold
from anxin.domain import order as order_fold
from anxin.domain.effects import (
    Decision,
    Effect,
)
from anxin.domain.merchant import MerchantState
from anxin.domain.money import Money
from anxin.domain.order import Classifier, Finding, OrderState
from anxin.domain.standing import MerchantStanding
from anxin.engine import failpoints, parcels
from anxin.engine.batch import BatchEffects
from anxin.engine.parcels import ParcelRegistry
from anxin.engine.ports import DeadLetter, HeldEvent, LoggedEvent, ParcelKey, Store, StoreTx
from anxin.engine.rule import OrderRule
from anxin.policy.pack import PolicyBook

# Events dated further than this after the ingest clock are refused as absurd.
MAX_FUTURE_SKEW = dt.timedelta(days=1)


@dataclass
class IngestReport:
    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    held: int = 0
    released: int = 0
    decisions: int = 0
    payouts: int = 0
    outbox: int = 0
    ledger_conflicts: int = 0
    errors: list[ContractError] = field(default_factory=list)

    def add(self, other: IngestReport) -> None:
        for name in (
            "received",
            "accepted",
            "duplicates",
            "rejected",
            "held",
            "released",
            "decisions",
            "payouts",
            "outbox",
            "ledger_conflicts",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


@dataclass
class TickReport:
    fired: int = 0
    decisions: int = 0
    payouts: int = 0
    outbox: int = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC for one batch.

    A batch allocates hundreds of thousands of short-lived, acyclic objects; generation-0
    collections over them cost ~20 % of ingest time and free nothing. Reference counting still
    frees everything; the collector runs again as soon as the batch is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def content_hash(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


EARLIEST_US, LATEST_US = to_us(ev.EARLIEST), to_us(ev.LATEST)


def _absurd(event: ev.Event, now: dt.datetime, position: int | None) -> ContractError:
    at = event.occurred_at
    if ev.EARLIEST <= at < ev.LATEST:
        why = (
            f"occurred_at {at.isoformat()} is more than {MAX_FUTURE_SKEW} after the ingest "
            f"clock ({now.isoformat()})"
        )
    else:
        why = f"absurd date in `occurred_at`: {at.isoformat()} is outside 2000..2099"
    return ContractError("absurd_date", why, "$.occurred_at", position, event.id)


def dead_letter_id(raw: bytes, error: ContractError) -> str:
    h = hashlib.blake2b(raw, digest_size=16)
    h.update(error.code.encode())
    h.update(error.path.encode())
    return h.hexdigest()


def _parcel_key(carrier: str, tracking_number: str) -> ParcelKey:
    return (carrier, tracking_number)


def _hold_key(key: ParcelKey) -> str:
    return f"parcel:{key[0]}:{key[1]}"


def default_classifier() -> Classifier:
    """anxin's carrier-scan normalizer (imported here: the engine core does not need it)."""
    from anxin.engine.scans import classify_scan

    return classify_scan


class Engine:
    def __init__(
        self,
        store: Store,
        book: PolicyBook,
        clock: Clock | None = None,
        *,
        rules: Sequence[OrderRule],
        classify: Classifier | None = None,
    ) -> None:
        self.store = store
        self.classify = classify or default_classifier()
        self.book = book
        self.clock = clock or SystemClock()
        self.rules = list(rules)  # chosen by the composition root (anxin.application)
        self._rules_for: dict[type[ev.Event], list[OrderRule]] = {
            t: [r for r in self.rules if t in r.event_types] for t in ev.EVENT_TYPES
        }
        self._scan_rules: dict[str, list[OrderRule]] = {}  # by the scan's status, as needed

    def _rules_for_scan(self, scan: ev.TrackingScanned) -> list[OrderRule]:
        p = scan.payload
        status = self.classify(p.carrier, p.code, p.text)[0]
        found = self._scan_rules.get(status)
        if found is None:
            found = self._scan_rules[status] = [
                r
                for r in self._rules_for[ev.TrackingScanned]
                if r.scan_statuses is None or status in r.scan_statuses
            ]
        return found

    # ================================================================ ingest

    def ingest(self, raws: Iterable[tuple[int | None, bytes]], source: str) -> IngestReport:
        """Ingest one micro-batch of raw events (position, bytes) atomically."""
        with gc_paused():
            return self._ingest(raws, source)

    def _ingest(self, raws: Iterable[tuple[int | None, bytes]], source: str) -> IngestReport:
        now = self.clock.now()
        now_us = to_us(now)
        latest = now + MAX_FUTURE_SKEW
        report = IngestReport()
        dead: list[DeadLetter] = []

        def reject(raw: bytes, error: ContractError) -> None:
            report.rejected += 1
            report.errors.append(error)
            dead.append(
                DeadLetter(
                    dead_letter_id(raw, error),
                    now_us,
                    source,
                    error.index,
                    error.event_id,
                    error.code,
                    error.path,
                    error.message,
                    raw,
                )
            )

        # Inclusive: exactly MAX_FUTURE_SKEW after the clock is still accepted.
        latest_us = min(to_us(latest), LATEST_US - 1)
        candidates: list[tuple[ev.Event, str, int | None, bytes]] = []
        # The first of each id in the batch, for the log (which skips ids it already holds).
        first: dict[str, LoggedEvent] = {}
        for position, raw in raws:
            report.received += 1
            decoded = decode_event(raw, position)
            if isinstance(decoded, Rejected):
                reject(decoded.raw, decoded.error)
                continue
            at_us = to_us(decoded.occurred_at)
            if not EARLIEST_US <= at_us <= latest_us:
                reject(raw, _absurd(decoded, now, position))
                continue
            canonical = encode_event(decoded)
            digest = content_hash(canonical)
            candidates.append((decoded, digest, position, raw))
            if decoded.id not in first:
                first[decoded.id] = LoggedEvent(
                    decoded.id,
                    decoded.type,
                    decoded.key(),
                    at_us,
                    decoded.source,
                    digest,
                    canonical.decode(),
                    now_us,
                )

        with self.store.transaction() as tx:
            # The same id again, here or in the log, is a redelivery (same content) or a
            # conflict (other content).
            known = tx.append_new_events(list(first.values()))
            fresh: list[ev.Event] = []
            for event, digest, position, raw in candidates:
                seen = known.get(event.id)
                if seen is None:
                    known[event.id] = digest
                    fresh.append(event)
                elif seen == digest:
                    report.duplicates += 1
                else:
                    reject(
                        raw,
                        ContractError(
                            "conflict",
                            f"event id {event.id!r} was already accepted with different content "
                            f"(stored hash {seen}, this one {digest}); not merged",
                            "$.id",
                            position,
                            event.id,
                        ),
                    )
            report.accepted = len(fresh)
            failpoints.hit("ingest.after_log")
            effects = BatchEffects()
            self._process(tx, fresh, now_us, report, effects)
            failpoints.hit("ingest.before_commit")
            report.ledger_conflicts = effects.write(tx)
            report.decisions += len(effects.decisions)
            report.payouts += len(effects.ledger)
            report.outbox += len(effects.outbox)
            tx.add_dead_letters(dead)
        return report

    def _process(
        self,
        tx: StoreTx,
        fresh: list[ev.Event],
        now_us: int,
        report: IngestReport,
        effects: BatchEffects,
    ) -> None:
        # Resolve which orders each scan belongs to, which orders already ship under each new
        # shipment's number, and which held scans new shipments release.
        shipments = [e for e in fresh if isinstance(e, ev.ShipmentCreated)]
        keys = {
            _parcel_key(e.payload.carrier, e.payload.tracking_number)
            for e in fresh
            if isinstance(e, ev.TrackingScanned | ev.ShipmentCreated)
        }
        registry = ParcelRegistry(tx, keys)
        held_rows = (
            tx.held(
                {
                    _hold_key(_parcel_key(s.payload.carrier, s.payload.tracking_number))
                    for s in shipments
                }
            )
            if shipments
            else []
        )
        held_by_key: dict[str, list[ev.Event]] = {}
        if held_rows:
            bodies = tx.event_bodies([h.event_id for h in held_rows])
            for h in held_rows:
                held_by_key.setdefault(h.hold_key, []).append(_decode_logged(bodies[h.event_id]))

        order_ids = {_order_id(e) for e in fresh} - {None}
        order_ids |= registry.known_orders()
        orders = tx.load_orders({o for o in order_ids if o is not None})
        merchant_ids = {
            e.payload.merchant_id
            for e in fresh
            if e.scope == "merchant" and isinstance(e, ev.MerchantRegistered | ev.MerchantUpdated)
        }
        merchants = tx.load_merchants(merchant_ids) if merchant_ids else {}
        presale = _presale_standing(tx, fresh)
        freight = _freight_standing(tx, fresh)
        touched_orders: dict[str, OrderState] = {}
        touched_merchants: dict[str, MerchantState] = {}
        # Scans held in this batch, by parcel, until their shipment shows up (maybe later on).
        held_now: dict[str, list[tuple[HeldEvent, ev.Event]]] = {}
        released: list[str] = []

        def fold_order(order_id: str, event: ev.Event) -> None:
            state = orders.get(order_id)
            if state is None:
                state = orders[order_id] = OrderState(order_id)
            order_fold.apply(state, event, self.classify)
            if presale and isinstance(event, ev.OrderPlaced):
                _stand(state, event, presale)
            if (
                freight
                and isinstance(event, ev.OrderPlaced)
                and state.placed_at == event.occurred_at
            ):
                standing = freight.get(event.payload.merchant_id)
                if standing is not None:
                    state.freight_standing = standing.at(to_us(event.occurred_at))
            touched_orders[order_id] = state
            rules = (
                self._rules_for_scan(event)
                if isinstance(event, ev.TrackingScanned)
                else self._rules_for[type(event)]
            )
            for rule in rules:
                if out := rule.on_event(state, event, self.book):  # most events decide nothing
                    effects.add(remember(state, out))

        for event in fresh:
            if isinstance(event, ev.TrackingScanned):
                key = _parcel_key(event.payload.carrier, event.payload.tracking_number)
                owners = registry.orders_of(key)
                if not owners:
                    hold_key = _hold_key(key)
                    held = HeldEvent(event.id, hold_key, "awaiting_shipment", now_us)
                    held_now.setdefault(hold_key, []).append((held, event))
                for owner in owners:
                    fold_order(owner, event)
                continue
            if isinstance(event, ev.MerchantRegistered | ev.MerchantUpdated):
                self._merchant(event, merchants, touched_merchants, effects)
                continue
            order_id = _order_id(event)
            if order_id is None:
                continue  # chat and merchant-scope facts: kept in the log for analytics
            fold_order(order_id, event)
            if isinstance(event, ev.ShipmentCreated):
                key = _parcel_key(event.payload.carrier, event.payload.tracking_number)
                at_us = to_us(event.occurred_at)
                earlier = registry.register(key, order_id, event.payload.shipment_id, at_us)
                if earlier:  # the number already carries other orders: share their facts
                    parcels.share(orders[order_id], key, (orders[o] for o in earlier))
                # Scans that came first (this batch or earlier ones) are applied now, in time order.
                hold_key = _hold_key(key)
                early = [e for _, e in held_now.pop(hold_key, [])]
                stored = held_by_key.pop(hold_key, [])
                for scan in sorted(early + stored, key=lambda e: (e.occurred_at, e.id)):
                    fold_order(order_id, scan)
                released += [e.id for e in stored]
                report.released += len(early) + len(stored)

        to_hold = [h for waiting in held_now.values() for h, _ in waiting]
        report.held = len(to_hold)
        tx.add_parcels(registry.new_rows)
        parcels.mark_clones(tx, touched_orders.values())
        if to_hold:
            tx.hold(to_hold)
        if released:
            tx.release(released)
        for state in touched_orders.values():
            for rule in self.rules:
                if out := rule.settle(state, self.book):
                    effects.add(remember(state, out))
        effects.apply_caps(tx, touched_orders)
        tx.save_orders(touched_orders.values())
        if touched_merchants:
            tx.save_merchants(touched_merchants.values())

    def _merchant(
        self,
        event: ev.MerchantRegistered | ev.MerchantUpdated,
        merchants: dict[str, MerchantState],
        touched: dict[str, MerchantState],
        effects: BatchEffects,
    ) -> None:
        p = event.payload
        state = merchants.get(p.merchant_id) or MerchantState(p.merchant_id)
        merchants[p.merchant_id] = touched[p.merchant_id] = merchant_fold.apply(state, event)
        if p.deposit is not None and p.deposit.amount > 0:
            # The deposit that funds payouts enters the system from outside.
            effects.add(
                [
                    ledger.transfer(
                        f"deposit:{p.merchant_id}:{event.id}",
                        debit=ledger.external(),
                        credit=ledger.merchant_deposit(p.merchant_id),
                        amount=_money(p.deposit),
                        occurred_at=event.occurred_at,
                        reason="merchant.deposit",
                        explanation={"event_id": event.id},
                    )
                ]
            )

    # ================================================================ timers

    def tick(self, now: dt.datetime | None = None, batch: int = 1000) -> TickReport:
        """Fire every deadline due at ``now`` (default: the clock) exactly once."""
        at = now or self.clock.now()
        at_us = to_us(at)
        rules = {r.rule_id: r for r in self.rules}
        report = TickReport()
        while True:
            # Exclusive: a concurrent ticker or ingester must neither fire these deadlines too
            # nor write back order states older than the ones read here.
            with gc_paused(), self.store.transaction(exclusive=True) as tx:  # gc: as in ingest
                due = tx.claim_due(at_us, batch)
                if not due:
                    return report
                orders = tx.load_orders(
                    {
                        d.aggregate_key.removeprefix("order:")
                        for d in due
                        if d.aggregate_key.startswith("order:")
                    }
                )
                effects = BatchEffects()
                changed: dict[str, OrderState] = {}
                for deadline in due:
                    rule = rules.get(deadline.rule_id)
                    state = orders.get(deadline.aggregate_key.removeprefix("order:"))
                    if rule is not None and state is not None:
                        known = len(state.findings)
                        effects.add(remember(state, rule.on_deadline(state, deadline, self.book)))
                        if len(state.findings) != known:
                            changed[state.order_id] = state
                tx.mark_fired([d.deadline_id for d in due], at_us)
                effects.apply_caps(tx, changed)
                if changed:
                    tx.save_orders(changed.values())
                effects.write(tx)
                report.fired += len(due)
                report.decisions += len(effects.decisions)
                report.payouts += len(effects.ledger)
                report.outbox += len(effects.outbox)


PRESALE = "presale"
FREIGHT = "freight_insurance"


def _presale_standing(tx: StoreTx, fresh: list[ev.Event]) -> dict[str, MerchantStanding]:
    """The presale standing of every merchant placing a presale order in the batch, over the
    span of their placements: one read per batch (decision 0006's cross-order facts)."""
    placed = [
        e for e in fresh if isinstance(e, ev.OrderPlaced) and e.payload.presale_ship_by is not None
    ]
    if not placed:
        return {}
    times = [to_us(e.occurred_at) for e in placed]
    merchants = {e.payload.merchant_id for e in placed}
    return tx.merchant_standing(merchants, PRESALE, min(times), max(times) + 1)


def _freight_standing(tx: StoreTx, fresh: list[ev.Event]) -> dict[str, MerchantStanding]:
    """The return-freight-insurance standing of every merchant placing an order in the batch
    (insurance is attached at purchase): one read per batch."""
    placed = [e for e in fresh if isinstance(e, ev.OrderPlaced)]
    if not placed:
        return {}
    times = [to_us(e.occurred_at) for e in placed]
    merchants = {e.payload.merchant_id for e in placed}
    return tx.merchant_standing(merchants, FREIGHT, min(times), max(times) + 1)


def _stand(state: OrderState, event: ev.OrderPlaced, found: dict[str, MerchantStanding]) -> None:
    """Fold the merchant's presale standing at the placement into a presale order (the
    earliest placement's: the one the fold keeps)."""
    standing = found.get(event.payload.merchant_id)
    if (
        standing is not None
        and event.payload.presale_ship_by is not None
        and state.placed_at == event.occurred_at
    ):
        state.presale_standing = standing.at(to_us(event.occurred_at))


def remember(state: OrderState, effects: list[Effect]) -> list[Effect]:
    """Fold the rule's decisions back into the order, so later rules see what was decided
    and paid (caps, once-per-order families) without reading the store."""
    for effect in effects:
        if isinstance(effect, Decision):
            state.record(Finding.of(effect))
    return effects


def _order_id(event: ev.Event) -> str | None:
    if event.scope != "order":
        return None
    order_id: str | None = getattr(event.payload, "order_id", None)  # type: ignore[attr-defined]
    return order_id


def _money(m: ev.Money) -> Money:
    return Money(m.amount, m.currency)


def _decode_logged(body: bytes) -> ev.Event:
    decoded = decode_event(body)
    if isinstance(decoded, Rejected):  # the log only ever holds events that passed the contract
        raise RuntimeError(f"event log holds an undecodable event: {decoded.error}")
    return decoded
