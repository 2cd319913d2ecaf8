"""Teleship (JSON): its event-code table, its payload parser (whose ``None`` for another shape is
its detection), zone and aliases, in one place (decision 0015)."""

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

# Teleship has a dedicated out_for_delivery code, so its ``in_transit`` is taken at its word.
TABLE = codes(
    {
        "created": code(S.info_received),
        "label_created": code(S.info_received),
        "pending": code(S.info_received),
        "collected": code(S.picked_up),
        "in_hub": code(S.at_hub),
        "in_transit": code(S.in_transit),
        "customs_cleared": code(S.in_transit),
        "out_for_delivery": code(S.out_for_delivery),
        "delivered": code(S.delivered),
        "delivery_failed": code(S.delivery_failed),
        "returned": code(S.returning),
        "cancelled": code(S.exception, R.cancelled),
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    events = dig(doc, "events")
    if "trackingNumber" not in (doc if isinstance(doc, dict) else {}) or not isinstance(
        events, list
    ):
        return None
    name = ctx.carrier or "teleship"
    zone = ctx.zone(name)
    number = text(doc.get("trackingNumber"))
    scans = [
        RawScan(
            name,
            number,
            at,
            text(dig(e, "code")),
            text(dig(e, "description")),
            text(dig(e, "location")),
        )
        for e in events
        if (at := when(dig(e, "timestamp"), zone)) is not None
    ]
    return success(name, scans)


CARRIER = Carrier(("teleship",), TABLE, "UTC", (), json=parse_json)
