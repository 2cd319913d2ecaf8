"""DHL Shipment Tracking - Unified (JSON): its event-code table, its payload parser (whose ``None``
for another shape is its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    both,
    dig,
    items,
    join,
    success,
    text,
    when,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Status as S

# The Unified Shipment Tracking API's ``statusCode`` is a five-value umbrella.
TABLE = codes(
    {
        "pre-transit": code(S.info_received, coarse=True),
        "transit": code(S.in_transit, coarse=True),
        "delivered": code(S.delivered),
        "failure": code(S.exception, coarse=True),
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    shipments = dig(doc, "shipments")
    if not isinstance(shipments, list) or not any(
        isinstance(s, dict) and "id" in s and "shipmentTrackingNumber" not in s for s in shipments
    ):
        return None
    name = ctx.carrier or "dhl_universal"
    zone = ctx.zone(name)
    scans = []
    for shipment in shipments:
        number = text(dig(shipment, "id"))
        for e in items(dig(shipment, "events")):
            at = when(dig(e, "timestamp"), zone)
            if at is None:
                continue
            address = dig(e, "location", "address")
            scans.append(
                RawScan(
                    carrier=name,
                    tracking_number=number,
                    at=at,
                    code=text(dig(e, "statusCode")),
                    text=both(dig(e, "status"), dig(e, "description")),
                    location=join(dig(address, "addressLocality"), dig(address, "countryCode")),
                )
            )
    return success(name, scans)


CARRIER = Carrier(("dhl_universal",), TABLE, "UTC", (), json=parse_json)
