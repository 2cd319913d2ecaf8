"""GLS (JSON): its event-code table, its payload parser (whose ``None`` for another shape is its
detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
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

TABLE = codes(
    {
        "INTIAL.PREADVICE": code(S.info_received),  # sic: GLS spells it so
        "INITIAL.PREADVICE": code(S.info_received),
        "INTIAL.NORMAL": code(S.picked_up),  # handed over to GLS
        "INITIAL.NORMAL": code(S.picked_up),
        "PREADVICE": code(S.info_received),
        "INTRANSIT": code(S.in_transit, coarse=True),
        "INWAREHOUSE": code(S.at_hub),
        "INDELIVERY": code(S.out_for_delivery),
        "DELIVEREDPS": code(S.ready_for_pickup),  # delivered to a ParcelShop
        "DELIVERED": code(S.delivered),
        "NOTDELIVERED": code(S.delivery_failed),
        "CANCELED": code(S.exception, R.cancelled),
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    parcels = dig(doc, "parcels")
    if not isinstance(parcels, list):
        return None
    name = ctx.carrier or "gls"
    zone = ctx.zone(name)
    scans, errors = [], []
    for parcel in parcels:
        number = text(dig(parcel, "unitno")) or text(dig(parcel, "requested"))
        if dig(parcel, "errorCode") or dig(parcel, "errorMessage"):
            errors.append(message(dig(parcel, "errorCode"), dig(parcel, "errorMessage")))
        for e in items(dig(parcel, "events")):
            at = when(dig(e, "eventDateTime"), zone)
            if at is not None:
                scans.append(
                    RawScan(
                        name,
                        number,
                        at,
                        text(dig(e, "code")),
                        text(dig(e, "description")),
                        join(dig(e, "city"), dig(e, "country")),
                    )
                )
    return success(name, scans, errors)


CARRIER = Carrier(("gls",), TABLE, "Europe/Berlin", (), json=parse_json)
