"""The store as the engine sees it: one small, batch-shaped interface.

Every method works on a whole micro-batch at once (one query per batch, not per event), which is
what keeps ingest fast. ``Store.transaction()`` yields a ``StoreTx``; everything done through it
commits or rolls back together — state, event log, decisions, ledger, outbox and dead letters.
Two implementations: ``anxin.store.sql.SqlStore`` (SQLite / PostgreSQL) and
``anxin.engine.memory.MemoryStore`` (the in-memory fake for fast tests).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Decision, OutboxMessage, ScheduleDeadline
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.merchant import MerchantState
from anxin.domain.order import OrderState
from anxin.domain.standing import MerchantStanding

ParcelKey = tuple[str, str]  # (carrier, tracking_number)


class LoggedEvent(NamedTuple):
    """One event-log row; a tuple so the store can hand it to the driver as is."""

    event_id: str
    type: str
    partition_key: str
    occurred_at_us: int
    source: str
    content_hash: str
    body: str  # canonical JSON
    ingested_at_us: int


@dataclass(frozen=True, slots=True)
class DeadLetter:
    dead_letter_id: str
    received_at_us: int
    source: str
    position: int | None
    event_id: str | None
    code: str
    path: str
    message: str
    raw: bytes


@dataclass(frozen=True, slots=True)
class HeldEvent:
    event_id: str
    hold_key: str
    reason: str
    held_at_us: int


class ParcelRow(NamedTuple):
    """An order shipped under a tracking number, registered at its shipment's time."""

    carrier: str
    tracking_number: str
    order_id: str
    shipment_id: str
    registered_at_us: int


class TracePrint(NamedTuple):
    """The fingerprint of a parcel's trace to its last leg, and whose parcel it is."""

    fingerprint: str
    carrier: str
    tracking_number: str
    order_id: str
    consumer_id: str | None


class CapUsage(NamedTuple):
    """How much a cap shared by several orders has paid so far (minor units)."""

    cap_key: str
    currency: str
    used: int


class StoreTx(Protocol):
    # event log
    def event_hashes(self, event_ids: Collection[str]) -> dict[str, str]: ...
    def append_new_events(self, rows: list[LoggedEvent]) -> dict[str, str]:
        """Append the rows whose event id the log does not hold yet (ids are unique within
        ``rows``); return the stored content hash of each id it already held."""
        ...

    def event_bodies(self, event_ids: Collection[str]) -> dict[str, bytes]: ...

    # state
    def load_orders(self, order_ids: Collection[str]) -> dict[str, OrderState]: ...
    def save_orders(self, states: Iterable[OrderState]) -> None: ...
    def load_merchants(self, merchant_ids: Collection[str]) -> dict[str, MerchantState]: ...
    def save_merchants(self, states: Iterable[MerchantState]) -> None: ...

    # enforcement: what a merchant may do
    def merchant_standing(
        self, merchant_ids: Collection[str], privilege: str, since_us: int, until_us: int
    ) -> dict[str, MerchantStanding]:
        """Each merchant's ``merchant_privileges`` row for ``privilege`` and its active measures
        in force at some instant of [since_us, until_us), whatever their kind (the rules pick);
        one entry per merchant asked, row or not."""
        ...

    # parcels and scans waiting for their shipment
    def parcel_orders(self, keys: Collection[ParcelKey]) -> dict[ParcelKey, list[str]]:
        """The orders on each number, first registered first."""
        ...

    def add_parcels(self, rows: list[ParcelRow]) -> None: ...
    def trace_prints(self, fingerprints: Collection[str]) -> dict[str, TracePrint]: ...
    def add_trace_prints(self, rows: list[TracePrint]) -> None: ...
    def cap_usage(self, cap_keys: Collection[str]) -> dict[str, CapUsage]: ...
    def save_cap_usage(self, rows: list[CapUsage]) -> None: ...
    def hold(self, rows: list[HeldEvent]) -> None: ...
    def held(self, hold_keys: Collection[str]) -> list[HeldEvent]: ...
    def release(self, event_ids: Collection[str]) -> None: ...

    # timers. ``cancelled``: ids among ``deadlines`` that this transaction also cancels; they
    # are written cancelled at once, the same rows as scheduling then ``cancel``, one write less.
    def schedule(
        self, deadlines: list[ScheduleDeadline], cancelled: Collection[str] = ()
    ) -> None: ...
    def reschedule(
        self, deadlines: list[ScheduleDeadline], cancelled: Collection[str] = ()
    ) -> None: ...
    def cancel(self, deadline_ids: Collection[str]) -> None: ...
    def claim_due(self, now_us: int, limit: int) -> list[DueDeadline]: ...
    def mark_fired(self, deadline_ids: Collection[str], fired_at_us: int) -> None: ...

    # effects
    def add_decisions(self, decisions: list[Decision]) -> None: ...
    def post_ledger(self, transactions: list[LedgerTransaction]) -> int: ...
    def add_outbox(self, messages: list[OutboxMessage]) -> None: ...
    def add_dead_letters(self, rows: list[DeadLetter]) -> None: ...


class Store(Protocol):
    def transaction(self, *, exclusive: bool = False) -> AbstractContextManager[StoreTx]:
        """One atomic unit of work. ``exclusive``: no other engine transaction on the store
        runs beside it, so what it reads stays current until it commits (the tick, which reads
        due deadlines and order states, then writes both back)."""
        ...


def chunks(items: list[str] | list[ParcelKey], size: int = 900) -> Iterator[list[object]]:
    """IN-lists in slices small enough for every backend's parameter limit."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])
