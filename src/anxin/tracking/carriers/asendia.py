"""Asendia (JSON): its event-code table, its payload parser (whose ``None`` for another shape is
its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
    join,
    success,
    text,
    when,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Status as S

TABLE = codes(
    {
        "PU": code(S.picked_up),
        "IT": code(S.in_transit),
        "DL": code(S.delivered),
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    events = dig(doc, "trackingEvents")
    if not isinstance(events, list) or not all(
        isinstance(e, dict) and "carrierEventDescription" in e for e in events
    ):
        return None
    name = ctx.carrier or "asendia"
    zone = ctx.zone(name)
    number = text(dig(doc, "trackingNumber"))
    scans = [
        RawScan(
            name,
            number,
            at,
            text(e.get("code")),
            text(e.get("carrierEventDescription")),
            join(e.get("locationName"), e.get("locationCountry")),
        )
        for e in events
        if (at := when(e.get("time"), zone)) is not None
    ]
    return success(name, scans)


CARRIER = Carrier(("asendia",), TABLE, "UTC", (), json=parse_json)
