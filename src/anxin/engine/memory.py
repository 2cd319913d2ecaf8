"""The in-memory store: the engine's ``Store``/``StoreTx`` port on plain dicts, for fast tests.

Same semantics as ``anxin.store.sql.SqlStore``: insert-or-ignore for decisions, outbox, dead
letters, parcels, held scans and deadlines; upsert for states (kept encoded, so a loaded state
mutated by the engine never leaks back); ``claim_due`` in (due_at, deadline_id) order;
``mark_fired``/``cancel`` move only pending deadlines. A transaction works on a copy-on-write
overlay (reads see its own writes) merged in only when the ``with`` block exits normally; an
exception drops it. One transaction at a time (a lock), like a single SQLite writer.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

import msgspec

from anxin.clock import from_us, to_us
from anxin.domain import merchant as merchant_state
from anxin.domain import order as order_state
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Decision, OutboxMessage, ScheduleDeadline
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.merchant import MerchantState
from anxin.domain.order import OrderState
from anxin.domain.standing import Measure, MerchantStanding
from anxin.engine.ports import (
    CapUsage,
    DeadLetter,
    HeldEvent,
    LoggedEvent,
    ParcelKey,
    ParcelRow,
    TracePrint,
)

K = TypeVar("K")
V = TypeVar("V")

_json = msgspec.json.Encoder()
_dejson = msgspec.json.Decoder()


@dataclass(frozen=True, slots=True)
class StoredDeadline:
    """One row of the deadline table."""

    deadline: ScheduleDeadline
    due_at_us: int
    status: str = "pending"  # pending / fired / cancelled
    fired_at_us: int | None = None

    def due(self) -> DueDeadline:
        d = self.deadline  # ``data`` round-trips through JSON, as it does in the SQL store
        data = _dejson.decode(_json.encode(d.data))
        due_at = from_us(self.due_at_us)
        return DueDeadline(
            d.deadline_id, d.rule_id, d.aggregate_key, due_at, d.pack, d.pack_version, data
        )


@dataclass
class _Tables:
    events: dict[str, LoggedEvent] = field(default_factory=dict)
    orders: dict[str, bytes] = field(default_factory=dict)
    merchants: dict[str, bytes] = field(default_factory=dict)
    parcels: dict[ParcelKey, tuple[ParcelRow, ...]] = field(default_factory=dict)
    prints: dict[str, TracePrint] = field(default_factory=dict)
    caps: dict[str, CapUsage] = field(default_factory=dict)
    held: dict[str, HeldEvent] = field(default_factory=dict)
    deadlines: dict[str, StoredDeadline] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    ledger: dict[str, tuple[str, LedgerTransaction]] = field(default_factory=dict)
    outbox: dict[str, OutboxMessage] = field(default_factory=dict)
    dead_letters: dict[str, DeadLetter] = field(default_factory=dict)
    # Written by the daily privilege run and by enforcement, read by ingest.
    privileges: dict[tuple[str, str], tuple[bool, str]] = field(default_factory=dict)
    measures: dict[str, tuple[str, str, Measure]] = field(default_factory=dict)  # merchant, status


class _Overlay(Generic[K, V]):
    """Uncommitted changes over one committed table; ``commit`` merges them in."""

    def __init__(self, base: dict[K, V]) -> None:
        self.base = base
        self.changes: dict[K, V] = {}
        self.deleted: set[K] = set()

    def get(self, key: K) -> V | None:
        if key in self.changes:
            return self.changes[key]
        return None if key in self.deleted else self.base.get(key)

    def __contains__(self, key: K) -> bool:
        return key in self.changes or (key not in self.deleted and key in self.base)

    def put(self, key: K, value: V) -> None:
        self.changes[key] = value
        self.deleted.discard(key)

    def add(self, key: K, value: V) -> None:  # insert-or-ignore
        if key not in self:
            self.put(key, value)

    def delete(self, key: K) -> None:
        self.changes.pop(key, None)
        self.deleted.add(key)

    def values(self) -> Iterator[V]:
        for key, value in self.base.items():
            if key in self.changes:
                yield self.changes[key]
            elif key not in self.deleted:
                yield value
        for key, value in self.changes.items():
            if key not in self.base:
                yield value

    def commit(self) -> None:
        for key in self.deleted:
            self.base.pop(key, None)
        self.base.update(self.changes)


class MemoryStore:
    def __init__(self) -> None:
        self._tables = _Tables()
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self, *, exclusive: bool = False) -> Iterator[MemoryTx]:
        with self._lock:  # every transaction is exclusive here
            tx = MemoryTx(self._tables)
            yield tx  # an exception here skips the commit: the overlay is simply dropped
            tx.commit()

    # ------------------------------------------------------------ what other writers keep

    def set_privilege(
        self, merchant_id: str, privilege: str, granted: bool, since_day: str
    ) -> None:
        """A ``merchant_privileges`` row, as the daily privilege run writes it."""
        with self._lock:
            self._tables.privileges[(merchant_id, privilege)] = (granted, since_day)

    def set_measure(self, merchant_id: str, measure: Measure, status: str = "active") -> None:
        """A ``measures`` row, as enforcement writes it (``status``: active, lifted, reverted)."""
        with self._lock:
            self._tables.measures[measure.measure_id] = (merchant_id, status, measure)

    # ------------------------------------------------------------ committed reads, for tests

    def events(self) -> list[LoggedEvent]:
        return list(self._tables.events.values())

    def decisions(self) -> list[Decision]:
        return list(self._tables.decisions.values())

    def ledger_transactions(self) -> list[LedgerTransaction]:
        return [txn for _, txn in self._tables.ledger.values()]

    def ledger_entries(self) -> list[tuple[str, str, str, int]]:
        """(txn_key, account, currency, amount), one per posting, in posting order."""
        return [
            (txn.key, p.account, p.amount.currency, p.amount.amount)
            for txn in self.ledger_transactions()
            for p in txn.postings
        ]

    def balance(self, account: str, currency: str) -> int:
        entries = self.ledger_entries()
        return sum(a for _, acc, cur, a in entries if (acc, cur) == (account, currency))

    def outbox(self) -> list[OutboxMessage]:
        return list(self._tables.outbox.values())

    def dead_letters(self) -> list[DeadLetter]:
        return list(self._tables.dead_letters.values())

    def deadlines(self) -> list[StoredDeadline]:
        return list(self._tables.deadlines.values())

    def held_events(self) -> list[HeldEvent]:
        return list(self._tables.held.values())

    def orders(self) -> dict[str, OrderState]:
        return {k: order_state.decode_state(v) for k, v in self._tables.orders.items()}

    def merchants(self) -> dict[str, MerchantState]:
        return {k: merchant_state.decode_state(v) for k, v in self._tables.merchants.items()}


class MemoryTx:
    def __init__(self, tables: _Tables) -> None:
        self._all: list[_Overlay[Any, Any]] = []
        self._events = self._wrap(tables.events)
        self._orders = self._wrap(tables.orders)
        self._merchants = self._wrap(tables.merchants)
        self._parcels = self._wrap(tables.parcels)
        self._prints = self._wrap(tables.prints)
        self._caps = self._wrap(tables.caps)
        self._held = self._wrap(tables.held)
        self._deadlines = self._wrap(tables.deadlines)
        self._decisions = self._wrap(tables.decisions)
        self._ledger = self._wrap(tables.ledger)
        self._outbox = self._wrap(tables.outbox)
        self._dead_letters = self._wrap(tables.dead_letters)
        self._tables = tables  # privileges and measures: read only here

    def _wrap(self, base: dict[K, V]) -> _Overlay[K, V]:
        overlay = _Overlay(base)
        self._all.append(overlay)
        return overlay

    def commit(self) -> None:
        for overlay in self._all:
            overlay.commit()

    # ------------------------------------------------------------ event log

    def event_hashes(self, event_ids: Collection[str]) -> dict[str, str]:
        return {i: e.content_hash for i in event_ids if (e := self._events.get(i)) is not None}

    def append_new_events(self, rows: list[LoggedEvent]) -> dict[str, str]:
        held: dict[str, str] = {}
        for row in rows:
            if (e := self._events.get(row.event_id)) is not None:
                held[row.event_id] = e.content_hash
            else:
                self._events.put(row.event_id, row)
        return held

    def event_bodies(self, event_ids: Collection[str]) -> dict[str, bytes]:
        return {i: e.body.encode() for i in event_ids if (e := self._events.get(i)) is not None}

    # ------------------------------------------------------------ state

    def load_orders(self, order_ids: Collection[str]) -> dict[str, OrderState]:
        return {
            i: order_state.decode_state(raw)
            for i in order_ids
            if (raw := self._orders.get(i)) is not None
        }

    def save_orders(self, states: Iterable[OrderState]) -> None:
        for s in states:
            self._orders.put(s.order_id, order_state.encode_state(s))

    def load_merchants(self, merchant_ids: Collection[str]) -> dict[str, MerchantState]:
        return {
            i: merchant_state.decode_state(raw)
            for i in merchant_ids
            if (raw := self._merchants.get(i)) is not None
        }

    def save_merchants(self, states: Iterable[MerchantState]) -> None:
        for s in states:
            self._merchants.put(s.merchant_id, merchant_state.encode_state(s))

    # ------------------------------------------------------------ enforcement

    def merchant_standing(
        self, merchant_ids: Collection[str], privilege: str, since_us: int, until_us: int
    ) -> dict[str, MerchantStanding]:
        out: dict[str, MerchantStanding] = {}
        for merchant in merchant_ids:
            row = self._tables.privileges.get((merchant, privilege))
            measures = sorted(
                (
                    m
                    for owner, status, m in self._tables.measures.values()
                    if owner == merchant
                    and status == "active"
                    and m.in_force_during(since_us, until_us)
                ),
                key=lambda m: (m.starts_at_us, m.measure_id),
            )
            out[merchant] = MerchantStanding(
                merchant,
                privilege,
                None if row is None else row[0],
                None if row is None else row[1],
                measures,
            )
        return out

    # ------------------------------------------------------------ parcels, held scans

    def parcel_orders(self, keys: Collection[ParcelKey]) -> dict[ParcelKey, list[str]]:
        found = {k: rows for k in keys if (rows := self._parcels.get(k))}
        return {
            k: [r.order_id for r in sorted(rows, key=lambda r: (r.registered_at_us, r.order_id))]
            for k, rows in found.items()
        }

    def add_parcels(self, rows: list[ParcelRow]) -> None:
        for row in rows:
            key = (row.carrier, row.tracking_number)
            current = self._parcels.get(key) or ()
            if all(r.order_id != row.order_id for r in current):
                self._parcels.put(key, (*current, row))

    def trace_prints(self, fingerprints: Collection[str]) -> dict[str, TracePrint]:
        return {f: row for f in fingerprints if (row := self._prints.get(f)) is not None}

    def add_trace_prints(self, rows: list[TracePrint]) -> None:
        for row in rows:
            self._prints.add(row.fingerprint, row)

    def cap_usage(self, cap_keys: Collection[str]) -> dict[str, CapUsage]:
        return {k: row for k in cap_keys if (row := self._caps.get(k)) is not None}

    def save_cap_usage(self, rows: list[CapUsage]) -> None:
        for row in rows:
            self._caps.put(row.cap_key, row)

    def hold(self, rows: list[HeldEvent]) -> None:
        for row in rows:
            self._held.add(row.event_id, row)

    def held(self, hold_keys: Collection[str]) -> list[HeldEvent]:
        wanted = set(hold_keys)
        return [h for h in self._held.values() if h.hold_key in wanted]

    def release(self, event_ids: Collection[str]) -> None:
        for event_id in event_ids:
            self._held.delete(event_id)

    # ------------------------------------------------------------ timers

    def schedule(self, deadlines: list[ScheduleDeadline], cancelled: Collection[str] = ()) -> None:
        for d in deadlines:
            self._deadlines.add(d.deadline_id, StoredDeadline(d, to_us(d.due_at)))
        self.cancel([d.deadline_id for d in deadlines if d.deadline_id in cancelled])

    def reschedule(
        self, deadlines: list[ScheduleDeadline], cancelled: Collection[str] = ()
    ) -> None:
        for d in deadlines:
            status = "cancelled" if d.idle or d.deadline_id in cancelled else "pending"
            self._deadlines.put(d.deadline_id, StoredDeadline(d, to_us(d.due_at), status))

    def _move(self, deadline_ids: Collection[str], status: str, at_us: int | None) -> None:
        for i in deadline_ids:
            row = self._deadlines.get(i)
            if row is not None and row.status == "pending":
                self._deadlines.put(i, replace(row, status=status, fired_at_us=at_us))

    def cancel(self, deadline_ids: Collection[str]) -> None:
        self._move(deadline_ids, "cancelled", None)

    def claim_due(self, now_us: int, limit: int) -> list[DueDeadline]:
        due = [
            d for d in self._deadlines.values() if d.status == "pending" and d.due_at_us <= now_us
        ]
        due.sort(key=lambda d: (d.due_at_us, d.deadline.deadline_id))
        return [d.due() for d in due[: max(limit, 0)]]

    def mark_fired(self, deadline_ids: Collection[str], fired_at_us: int) -> None:
        self._move(deadline_ids, "fired", fired_at_us)

    # ------------------------------------------------------------ effects

    def add_decisions(self, decisions: list[Decision]) -> None:
        for d in decisions:
            self._decisions.add(d.decision_id, d)

    def post_ledger(self, transactions: list[LedgerTransaction]) -> int:
        """Post new transactions; returns how many keys already held different content."""
        existing = {x.key: row[0] for x in transactions if (row := self._ledger.get(x.key))}
        conflicts = 0
        for x in transactions:
            fingerprint = x.fingerprint()
            if x.key in existing:
                conflicts += existing[x.key] != fingerprint
            else:
                self._ledger.add(x.key, (fingerprint, x))
        return conflicts

    def add_outbox(self, messages: list[OutboxMessage]) -> None:
        for m in messages:
            self._outbox.add(m.message_id, m)

    def add_dead_letters(self, rows: list[DeadLetter]) -> None:
        for r in rows:
            self._dead_letters.add(r.dead_letter_id, r)
