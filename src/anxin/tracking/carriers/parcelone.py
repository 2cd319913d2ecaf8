"""ParcelOne (JSON): its event-code table, its payload parser (whose ``None`` for another shape is
its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
    items,
    success,
    text,
    when,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Status as S

TABLE = codes(
    {
        "CREATED": code(S.info_received),
        "REGISTERED": code(S.info_received),
        "IN_TRANSIT": code(S.in_transit),
        "ARRIVED": code(S.at_hub),
        "OUT_FOR_DELIVERY": code(S.out_for_delivery),
        "DELIVERED": code(S.delivered),
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    results = dig(doc, "results")
    if not isinstance(results, dict) or "Events" not in results:
        return None
    name = ctx.carrier or "parcelone"
    zone = ctx.zone(name)
    number = text(results.get("CarrierTrackingID")) or text(results.get("TrackingID"))
    scans = [
        RawScan(
            name,
            number,
            at,
            text(dig(e, "StatusCode")),
            text(dig(e, "Description")),
            text(dig(e, "Location")),
        )
        for e in items(results.get("Events"))
        if (at := when(dig(e, "DateTime"), zone)) is not None
    ]
    return success(name, scans)


CARRIER = Carrier(("parcelone",), TABLE, "Europe/Berlin", (), json=parse_json)
