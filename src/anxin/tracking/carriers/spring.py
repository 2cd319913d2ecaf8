"""Spring GDS (JSON): its event-code table, its payload parser (whose ``None`` for another shape is
its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
    failure,
    items,
    join,
    success,
    text,
    when,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

TABLE = codes(
    {
        "0": code(S.info_received),
        "20": code(S.picked_up),  # accepted
        "21": code(S.in_transit),
        "91": code(S.delivery_failed),
        "92": code(S.ready_for_pickup),
        "100": code(S.delivered),
        "111": code(S.exception, R.lost),
        "124": code(S.returning),
        "125": code(S.returned),
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    if not isinstance(doc, dict) or "ErrorLevel" not in doc:
        return None
    name = ctx.carrier or "spring"
    shipment = doc.get("Shipment")
    if not isinstance(shipment, dict):
        return failure(name, [text(doc.get("Error")) or f"ErrorLevel {doc.get('ErrorLevel')}"])
    zone = ctx.zone(name)
    number = text(shipment.get("TrackingNumber"))
    scans = [
        RawScan(
            name,
            number,
            at,
            text(dig(e, "Code")),
            text(dig(e, "Description")),
            join(dig(e, "City"), dig(e, "Country")),
        )
        for e in items(shipment.get("Events"))
        if (at := when(dig(e, "Timestamp") or dig(e, "DateTime"), zone)) is not None
    ]
    return success(name, scans, [text(doc.get("Error"))])


CARRIER = Carrier(("spring",), TABLE, "Europe/Amsterdam", ("spring_gds",), json=parse_json)
