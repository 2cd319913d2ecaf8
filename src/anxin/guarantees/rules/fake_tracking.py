"""Fake-tracking signs on one parcel (Douyin / Tmall 轨迹异常; platform-rules.md §3.2, §3.5).

Pure: each sign is read from the order's facts — its scans, its addresses, its after-sales, and
the cross-order facts the engine folds in (another order on the same number, a cloned trace) —
and dated when it became visible. The logistics rule judges a sign when the parcel's watch
fires at or after that date, on the facts known then, and pays the pack's family once an order.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import msgspec

from anxin.contract import events as ev
from anxin.domain.address import same_place
from anxin.domain.order import OrderState, Parcel
from anxin.guarantees.rules.logistics_config import FakeTracking, Sign

# Carrier reason for a parcel the sender had stopped and sent back (拦截, 召回; anxin.tracking).
RECALLED = "recalled"


class SignSeen(msgspec.Struct, frozen=True):
    sign: Sign
    at: dt.datetime
    facts: dict[str, Any]


def signs(state: OrderState, parcel: Parcel, config: FakeTracking) -> list[SignSeen]:
    """Every configured sign present on the parcel, with when it became visible."""
    found: list[SignSeen] = []
    wanted = set(config.signs)
    scans = parcel.scans
    if "scan_before_payment" in wanted and scans and state.paid_at is not None:
        first = scans[0].at
        if first < state.paid_at:
            found.append(SignSeen("scan_before_payment", state.paid_at, {"first_scan_at": first}))
    if "repeated_nodes" in wanted:
        run = 1
        for before, scan in itertools.pairwise(scans):
            same = (before.code, before.text, before.location) == (
                scan.code,
                scan.text,
                scan.location,
            )
            run = run + 1 if same and scan.at > before.at else 1
            if run == config.repeated_nodes:
                node = {"code": scan.code, "text": scan.text, "location": scan.location}
                found.append(SignSeen("repeated_nodes", scan.at, {"node": node, "times": run}))
                break
    if "reused_number" in wanted and (other := state.borrowed_from(parcel)) is not None:
        there = msgspec.to_builtins(other.destination) if other.destination else None
        facts = {"other_order": other.order_id, "other_destination": there}
        found.append(SignSeen("reused_number", parcel.created_at, facts))
    if "consignee_mismatch" in wanted:
        mine = state.addresses()
        for scan in scans:
            if scan.consignee is None or not mine:
                continue
            if not any(same_place(a, scan.consignee) for a in mine):
                facts = {"consignee": _region(scan.consignee), "scan": scan.event_id}
                found.append(SignSeen("consignee_mismatch", scan.at, facts))
                break
    if "cloned_trace" in wanted and parcel.cloned is not None:
        c = parcel.cloned
        facts = {"other_order": c.order_id, "other_parcel": f"{c.carrier}:{c.tracking_number}"}
        found.append(SignSeen("cloned_trace", c.at, facts))
    if "unauthorised_recall" in wanted:
        recall = next((s for s in scans if s.reason == RECALLED), None)
        if recall is not None and not _consented(state, recall.at):
            facts = {"scan": recall.event_id, "text": recall.text}
            found.append(SignSeen("unauthorised_recall", recall.at, facts))
    return found


def _consented(state: OrderState, at: dt.datetime) -> bool:
    """The consumer asked for the parcel back, or to cancel, by ``at``."""
    cancelled = state.cancelled_at
    if cancelled is not None and state.cancelled_by == "consumer" and cancelled <= at:
        return True
    return any(a.requested_at <= at for a in state.aftersales)


def _region(region: ev.Region | None) -> dict[str, str] | None:
    return msgspec.to_builtins(region) if region is not None else None
