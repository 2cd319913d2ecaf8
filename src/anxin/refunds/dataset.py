"""A world's after-sales requests as rows: features as of each request, label from the stream.

Reads a JSON Lines event stream (``anxin simulate --out``, or any marketplace export in the
contract); never the truth file. Rows are ordered by request instant, then aftersale id, so the
same stream always gives the same rows, whatever order its lines came in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import msgspec

from anxin.clock import from_us
from anxin.contract import events as ev
from anxin.refunds.features import Request, features, sort_facts
from anxin.refunds.history import DAY_US, Case, History, OrderFacts, fold
from anxin.refunds.labels import label

_DECODER = msgspec.json.Decoder(ev.AnyEvent)
# Orders, parcels and after-sales matter; chats, reviews, listings and content do not.
_WANTED = (
    b'"order.placed"',
    b'"order.paid"',
    b'"shipment.created"',
    b'"tracking.scanned"',
    b'"aftersale.',
    b'"return.',
    b'"complaint.filed"',
)


def read_events(path: str | Path) -> Iterator[ev.Event]:
    with open(path, "rb") as f:
        for line in f:
            if any(w in line for w in _WANTED):
                yield _DECODER.decode(line)


@dataclass(frozen=True)
class Row:
    case: Case
    order: OrderFacts
    request: Request
    x: list[float]
    y: int | None
    day: int  # days since the world's first request day


@dataclass(frozen=True)
class Dataset:
    rows: list[Row]
    start: dt.date  # the first request's UTC day
    history: History


def build(events: Iterable[ev.Event], horizon_us: int | None = None) -> Dataset:
    """Rows of every request whose order is known; labels as the stream stands at ``horizon_us``
    (default: its last fact)."""
    h = fold(events)
    for c in h.consumers.values():
        sort_facts(c)
    cases = sorted(h.cases.values(), key=lambda c: (c.requested_us, c.aftersale_id))
    if horizon_us is None:
        horizon_us = max((c.resolved_us or c.requested_us for c in cases), default=0)
    first_day = cases[0].requested_us // DAY_US if cases else 0
    rows: list[Row] = []
    for case in cases:
        order = h.orders.get(case.order_id)
        if order is None:
            continue
        req = request_of(case)
        x = features(
            req,
            order,
            h.consumers.get(order.consumer_id),
            h.addresses.get(order.address) if order.address else None,
            h.merchants.get(order.merchant_id),
            h.categories.get(order.category),
        )
        day = case.requested_us // DAY_US - first_day
        rows.append(Row(case, order, req, x, label(case, order, horizon_us), day))
    return Dataset(rows, from_us(first_day * DAY_US).date(), h)


def request_of(case: Case) -> Request:
    return Request(
        aftersale_id=case.aftersale_id,
        order_id=case.order_id,
        kind=case.kind,
        reason=case.reason,
        amount=case.amount,
        requested_us=case.requested_us,
    )


def split(data: Dataset, train_days: int) -> tuple[list[Row], list[Row]]:
    """Requests of the first ``train_days`` days train; later ones are held out. Training
    labels only count outcomes visible by the end of the training days (no peeking ahead)."""
    first = dt.datetime.combine(data.start, dt.time(), dt.UTC)
    horizon = int((first + dt.timedelta(days=train_days)).timestamp()) * 1_000_000
    train = [replace(r, y=label(r.case, r.order, horizon)) for r in data.rows if r.day < train_days]
    test = [r for r in data.rows if r.day >= train_days]
    return train, test
