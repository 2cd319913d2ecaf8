"""Sendle (JSON): its event-code table, its payload parser (whose ``None`` for another shape is its
detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
    success,
    text,
    when,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

# Sendle ``event_type``.
TABLE = codes(
    {
        "Pickup Attempted": code(S.exception, R.not_ready),
        "Pickup": code(S.picked_up),
        "Drop Off": code(S.picked_up),
        "Dropped Off": code(S.picked_up),
        "In Transit": code(S.in_transit, coarse=True),
        "Out for Delivery": code(S.out_for_delivery),
        "Local Delivery": code(S.out_for_delivery),
        "Delivery Attempted": code(S.delivery_failed),
        "Card Left": code(S.delivery_failed, R.not_home),
        "Left with Agent": code(S.ready_for_pickup),
        "Unable to Deliver": code(S.delivery_failed),
        "Damaged": code(S.exception, R.damaged),
        "Delivered": code(S.delivered),
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    events = dig(doc, "tracking_events")
    if not isinstance(events, list):
        return None
    name = ctx.carrier or "sendle"
    zone = ctx.zone(name)
    number = text(dig(doc, "sendle_reference")) or text(dig(doc, "tracking_number"))
    scans = []
    for e in events:
        at = when(dig(e, "display_time") or dig(e, "scan_time"), zone)
        if at is None:
            continue
        why = text(dig(e, "reason"))
        description = text(dig(e, "description"))
        scans.append(
            RawScan(
                carrier=name,
                tracking_number=number,
                at=at,
                code=text(dig(e, "event_type")),
                text=f"{description} ({why})" if why else description,
                location=text(dig(e, "location")),
            )
        )
    return success(name, scans)


CARRIER = Carrier(("sendle",), TABLE, "Australia/Sydney", (), json=parse_json)
