"""Ingest an export's events through the engine, keep its unusable rows as dead letters, and
count what anxin's own store now holds.

The summary's order facts (paid, shipped, delivered, late) are read back from ``order_state``
and ``events``, never from the CSV computation that produced the events: what it reports is what
anxin now knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from anxin.clock import to_us
from anxin.contract import events as ev
from anxin.contract.decode import ContractError, encode_event
from anxin.domain.order import OrderState, decode_state
from anxin.engine.ports import DeadLetter, chunks
from anxin.engine.processor import Engine, IngestReport, dead_letter_id
from anxin.importers import DEFAULT_BATCH
from anxin.importers.csvread import Problem
from anxin.store import schema as t

Progress = Callable[[int], None]


def ingest_events(
    engine: Engine,
    events: list[ev.Event],
    *,
    source: str,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> IngestReport:
    """One engine transaction per batch; positions are 1-based indexes in the event stream."""
    total = IngestReport()
    for start in range(0, len(events), batch_size):
        batch = events[start : start + batch_size]
        raws: list[tuple[int | None, bytes]] = [
            (start + i + 1, encode_event(e)) for i, e in enumerate(batch)
        ]
        total.add(engine.ingest(raws, source))
        if progress is not None:
            progress(len(batch))
    return total


def dead_letter_rows(engine: Engine, problems: Sequence[Problem], source: str) -> int:
    """Put the export's unusable rows in the dead-letter store, each with its file, line and
    reason and the record as read; returns how many. Ids derive from the row and the reason, so
    importing the same file again adds none."""
    now_us = to_us(engine.clock.now())
    rows: list[DeadLetter] = []
    for p in problems:
        raw = p.raw.encode()
        where = f"{p.file}:{p.line}"
        error = ContractError(p.reason[:40], f"{where}: {p.detail}", where[-300:], p.line)
        rows.append(
            DeadLetter(
                dead_letter_id(raw + where.encode(), error),
                now_us,
                source,
                p.line,
                None,
                error.code,
                error.path,
                error.message,
                raw,
            )
        )
    for start in range(0, len(rows), DEFAULT_BATCH):
        with engine.store.transaction() as tx:
            tx.add_dead_letters(rows[start : start + DEFAULT_BATCH])
    return len(rows)


# ---------------------------------------------------------------- reading the store back


def _first_scan(state: OrderState, code: str) -> dt.datetime | None:
    times = [s.at for p in state.parcels for s in p.scans if s.code == code]
    return min(times) if times else None


def _earliest_by(state: OrderState, kind: str) -> dt.datetime | None:
    times = [p.by for p in state.promises if p.kind == kind and p.by is not None]
    return min(times) if times else None


def is_late_shipped(state: OrderState) -> bool:
    """The goods left (first carrier scan) after the earliest ship-by promise."""
    shipped, due = state.shipped_at(), _earliest_by(state, "ship")
    return shipped is not None and due is not None and shipped > due


def is_late_delivered(state: OrderState) -> bool:
    """The ``delivered`` scan came after the deliver-by promise."""
    delivered, due = _first_scan(state, "delivered"), _earliest_by(state, "deliver")
    return delivered is not None and due is not None and delivered > due


@dataclass
class StoreCounts:
    orders: int = 0
    sellers: int = 0
    events: int = 0
    paid_orders: int = 0
    shipped_orders: int = 0
    delivered_orders: int = 0
    cancelled_orders: int = 0
    reviewed_orders: int = 0
    late_shipped_orders: int = 0
    late_delivered_orders: int = 0


def _in_chunks(conn: sa.Connection, query: Any, column: Any, ids: Sequence[str]) -> Iterator[Any]:
    for part in chunks(list(ids)):
        yield from conn.execute(query.where(column.in_(part)))


def store_counts(
    sql: sa.Engine, event_ids: Sequence[str], order_ids: Sequence[str], seller_ids: Sequence[str]
) -> StoreCounts:
    """Count this import's events, merchants and orders as the store holds them."""
    counts = StoreCounts()
    with sql.connect() as conn:
        for (n,) in _in_chunks(
            conn, sa.select(sa.func.count()).select_from(t.events), t.events.c.event_id, event_ids
        ):
            counts.events += n
        for (n,) in _in_chunks(
            conn,
            sa.select(sa.func.count()).select_from(t.merchant_state),
            t.merchant_state.c.merchant_id,
            seller_ids,
        ):
            counts.sellers += n
        q = sa.select(t.order_state.c.state)
        for (raw,) in _in_chunks(conn, q, t.order_state.c.order_id, order_ids):
            state = decode_state(raw)
            counts.orders += 1
            counts.paid_orders += state.paid_at is not None
            counts.shipped_orders += state.shipped_at() is not None
            counts.delivered_orders += _first_scan(state, "delivered") is not None
            counts.cancelled_orders += state.cancelled_at is not None
            counts.reviewed_orders += state.review_stars is not None
            counts.late_shipped_orders += is_late_shipped(state)
            counts.late_delivered_orders += is_late_delivered(state)
    return counts
