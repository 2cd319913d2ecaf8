"""UPS (Track API JSON): its event-code table, its payload parser (whose ``None`` for another shape
is its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    at_offset,
    dig,
    failure,
    items,
    join,
    message,
    success,
    text,
    when,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

# UPS activity ``status.type``: one letter per category, so every one but D is coarse.
TABLE = codes(
    {
        "M": code(S.info_received),  # manifest / billing information received
        "MV": code(S.exception, R.cancelled),  # billing information voided
        "P": code(S.picked_up, coarse=True),
        "I": code(S.in_transit, coarse=True),
        "W": code(S.in_transit, coarse=True),  # warehousing
        "O": code(S.out_for_delivery, coarse=True),
        "D": code(S.delivered),
        "X": code(S.exception, coarse=True),
        "RS": code(S.returning, coarse=True),
    }
)


def _ups_time(act: Any, zone: dt.tzinfo) -> dt.datetime | None:
    gmt = when(text(dig(act, "gmtDate")) + text(dig(act, "gmtTime")), dt.UTC)
    if gmt is not None:
        return at_offset(gmt, text(dig(act, "gmtOffset")))
    return when(text(dig(act, "date")) + text(dig(act, "time")), zone)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    name = ctx.carrier or "ups"
    if isinstance(errs := dig(doc, "response", "errors"), list):
        return failure(name, [message(dig(e, "code"), dig(e, "message")) for e in errs])
    shipments = dig(doc, "trackResponse", "shipment")
    if shipments is None:
        return None
    zone = ctx.zone(name)
    scans, errors = [], []
    for shipment in items(shipments):
        errors += [
            message(dig(w, "code"), dig(w, "message")) for w in items(dig(shipment, "warnings"))
        ]
        number = text(dig(shipment, "inquiryNumber"))
        for package in items(dig(shipment, "package")):
            for act in items(dig(package, "activity")):
                status = dig(act, "status") or {}
                kind, detail = text(dig(status, "type")), text(dig(status, "code"))
                at = _ups_time(act, zone)
                if at is None:
                    continue
                address = dig(act, "location", "address")
                scans.append(
                    RawScan(
                        carrier=name,
                        tracking_number=number,
                        at=at,
                        code=f"{kind}/{detail}" if kind and detail else kind or detail,
                        text=text(dig(status, "description")),
                        location=join(
                            dig(address, "city"),
                            dig(address, "stateProvince"),
                            dig(address, "countryCode"),
                        ),
                    )
                )
    return success(name, scans, errors)


CARRIER = Carrier(("ups",), TABLE, "UTC", (), json=parse_json)
