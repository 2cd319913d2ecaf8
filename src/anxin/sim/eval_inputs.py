"""What the evaluation reads: the stored event log, the decisions and the ground truth.

Kept apart from ``anxin.sim.evaluate`` (the scoring) so each stays one concept; the names are
private to the two modules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import sqlalchemy as sa

from anxin.clock import from_us
from anxin.sim.carriers import CARRIERS
from anxin.sim.truth import AnyTruth, OrderTruth, ParcelTruth, ShipmentTruth

# ---------------------------------------------------------------- facts from the event log


class _Region(msgspec.Struct):
    province: str = ""
    city: str = ""


class _OrderPayload(msgspec.Struct):
    order_id: str
    consumer_id: str = ""
    destination: _Region | None = None


class _ShipmentPayload(msgspec.Struct):
    order_id: str
    carrier: str
    tracking_number: str
    origin: _Region | None = None


class _ScanPayload(msgspec.Struct):
    carrier: str
    tracking_number: str
    code: str = ""


class _OrderEvent(msgspec.Struct):
    payload: _OrderPayload


class _ShipmentEvent(msgspec.Struct):
    payload: _ShipmentPayload


class _ScanEvent(msgspec.Struct):
    id: str
    payload: _ScanPayload


ParcelKey = tuple[str, str]  # carrier, tracking number


@dataclass(slots=True)
class _Shipment:
    order_id: str
    key: ParcelKey
    uploaded_us: int
    origin: str


@dataclass(slots=True)
class _Order:
    paid_us: int | None = None
    cancelled_us: int | None = None
    destination: str = ""
    city: str = ""
    consumer_id: str = ""
    shipments: list[_Shipment] = field(default_factory=list)


@dataclass(slots=True)
class _Trace:
    """A parcel's scans as the simulator emitted them: (at, event id, stage), time-sorted."""

    scans: list[tuple[int, str, int]] = field(default_factory=list)

    def next_after(self, at_us: int) -> int | None:
        """The first scan strictly after ``at_us`` (any update)."""
        return next((at for at, _, _ in self.scans if at > at_us), None)

    def first(self, stages: Iterable[int], after_us: int | None = None) -> int | None:
        wanted = frozenset(stages)
        for at, _, stage in self.scans:
            if stage in wanted and (after_us is None or at >= after_us):
                return at
        return None


def _stages() -> dict[tuple[str, str], int]:
    """(carrier, code) → the simulator's scan stage (first stage wins a shared code)."""
    out: dict[tuple[str, str], int] = {}
    for name, spec in CARRIERS.items():
        for stage, code in enumerate(spec.vocabulary.codes):
            if code:
                out.setdefault((name, code), stage)
    return out


def _read_log(
    conn: sa.Connection,
) -> tuple[dict[str, _Order], dict[ParcelKey, _Trace]]:
    orders: dict[str, _Order] = defaultdict(_Order)
    traces: dict[ParcelKey, _Trace] = defaultdict(_Trace)
    stages = _stages()
    decode_order = msgspec.json.Decoder(_OrderEvent).decode
    decode_shipment = msgspec.json.Decoder(_ShipmentEvent).decode
    decode_scan = msgspec.json.Decoder(_ScanEvent).decode
    rows = conn.execute(
        sa.text(
            "SELECT type, occurred_at_us, body FROM events WHERE type IN ('order.placed', "
            "'order.paid', 'order.cancelled', 'shipment.created', 'tracking.scanned')"
        )
    )
    for kind, at, body in rows:
        if kind == "tracking.scanned":
            scan = decode_scan(body)
            p = scan.payload
            stage = stages.get((p.carrier, p.code), -1)
            traces[p.carrier, p.tracking_number].scans.append((at, scan.id, stage))
        elif kind == "shipment.created":
            s = decode_shipment(body).payload
            origin = s.origin.province if s.origin else ""
            key = (s.carrier, s.tracking_number)
            orders[s.order_id].shipments.append(_Shipment(s.order_id, key, at, origin))
        else:
            o = decode_order(body).payload
            order = orders[o.order_id]
            if kind == "order.placed":
                order.destination = o.destination.province if o.destination else ""
                order.city = o.destination.city if o.destination else ""
                order.consumer_id = o.consumer_id
            elif kind == "order.paid":
                order.paid_us = at if order.paid_us is None else min(order.paid_us, at)
            elif order.cancelled_us is None or at < order.cancelled_us:
                order.cancelled_us = at
    for trace in traces.values():
        trace.scans.sort()
    return orders, traces


def _now(conn: sa.Connection) -> dt.datetime:
    """The last tick (every deadline due then fired), else the ingest clock."""
    fired = conn.execute(sa.text("SELECT max(fired_at_us) FROM deadlines")).scalar()
    if fired is None:
        fired = conn.execute(sa.text("SELECT max(ingested_at_us) FROM events")).scalar()
    if fired is None:
        raise ValueError("the store holds no events: nothing to evaluate")
    return from_us(int(fired))


# ---------------------------------------------------------------- truth


@dataclass
class _Truth:
    orders: dict[str, OrderTruth] = field(default_factory=dict)
    shipments: dict[tuple[str, str, str], ShipmentTruth] = field(default_factory=dict)
    parcels: dict[ParcelKey, ParcelTruth] = field(default_factory=dict)


def _read_truth(path: Path) -> _Truth:
    truth = _Truth()
    decode = msgspec.json.Decoder(AnyTruth).decode
    with path.open("rb") as handle:
        for line in handle:
            if not line.strip():
                continue
            t = decode(line)
            if isinstance(t, OrderTruth):
                truth.orders[t.order_id] = t
            elif isinstance(t, ParcelTruth):
                truth.parcels[t.carrier, t.tracking_number] = t
            elif isinstance(t, ShipmentTruth):
                truth.shipments[t.order_id, t.carrier, t.tracking_number] = t
    return truth


# ---------------------------------------------------------------- decisions


@dataclass
class _Decided:
    late: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # tier → orders
    # timer → {(order, tracking)}; stalls also by anchor scan id
    timers: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    stall_anchors: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    other: list[str] = field(default_factory=list)


def _read_decisions(conn: sa.Connection) -> _Decided:
    decided = _Decided()
    rows = conn.execute(
        sa.text("SELECT decision_id FROM decisions WHERE rule_id IN ('late_shipment', 'logistics')")
    )
    for (decision_id,) in rows:
        head, sep, rest = str(decision_id).partition(":late_shipment:")
        if sep and head.startswith("order:") and rest.isdigit():
            decided.late[int(rest)].add(head.removeprefix("order:"))
            continue
        head, sep, rest = str(decision_id).partition(":logistics:")
        parts = rest.split(":", 2)
        if not (sep and head.startswith("order:") and len(parts) >= 2):
            decided.other.append(decision_id)
            continue
        order_id, timer, tracking = head.removeprefix("order:"), parts[0], parts[1]
        decided.timers[timer].add((order_id, tracking))
        if len(parts) == 3:
            decided.stall_anchors[order_id, tracking].add(parts[2])
    return decided
