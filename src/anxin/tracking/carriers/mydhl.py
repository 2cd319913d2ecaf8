"""MyDHL API (JSON), which reports the DHL Express event codes: its event-code table, its payload
parser (whose ``None`` for another shape is its detection), zone and aliases, in one place
(decision 0015)."""

from __future__ import annotations

from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.carriers.dhl_express import TABLE as DHL_EXPRESS
from anxin.tracking.model import Kind, ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
    items,
    success,
    text,
    when,
)

TABLE = DHL_EXPRESS  # MyDHL API reports the DHL Express event codes


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    name = ctx.carrier or "mydhl"
    documents = dig(doc, "documents")
    if isinstance(documents, list) and len(doc) == 1:
        return ParseResult(Kind.error, name, (), ("a proof-of-delivery document, not tracking",))
    shipments = dig(doc, "shipments")
    if not isinstance(shipments, list) or not any(
        isinstance(s, dict) and "shipmentTrackingNumber" in s for s in shipments
    ):
        return None
    zone = ctx.zone(name)
    scans = []
    for shipment in shipments:
        number = text(dig(shipment, "shipmentTrackingNumber"))
        for e in items(dig(shipment, "events")):
            at = when(f"{text(dig(e, 'date'))} {text(dig(e, 'time'))}", zone)
            if at is None:
                continue
            scans.append(
                RawScan(
                    carrier=name,
                    tracking_number=number,
                    at=at,
                    code=text(dig(e, "typeCode")),
                    text=text(dig(e, "description")),
                    location=text(dig(e, "serviceArea", 0, "description")),
                )
            )
    return success(name, scans)


CARRIER = Carrier(("mydhl",), TABLE, "UTC", (), json=parse_json)
