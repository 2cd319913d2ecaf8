"""SmartKargo (JSON): its event-code table, its payload parser (whose ``None`` for another shape is
its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
    load_zone,
    success,
    text,
    when,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Status as S

# SmartKargo air-cargo status codes (Cargo-IMP style).
TABLE = codes(
    {
        "BKD": code(S.info_received),  # booked
        "RCS": code(S.picked_up),  # received from shipper
        "MAN": code(S.in_transit),  # manifested
        "DEP": code(S.in_transit),
        "ARR": code(S.in_transit),  # flight arrived
        "RCF": code(S.at_hub),  # received from flight
        "TFD": code(S.in_transit),  # transferred
        "CCD": code(S.in_transit),  # customs cleared
        "NFD": code(S.ready_for_pickup),  # consignee notified for delivery
        "DLV": code(S.delivered),
        "DDL": code(S.delivered),
        "DIS": code(S.exception),  # discrepancy
        "PND": code(S.in_transit, coarse=True),
    }
)


def _zone_or(name: str, fallback: dt.tzinfo) -> dt.tzinfo:
    try:
        return load_zone(name)
    except ValueError:
        return fallback


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    if (
        not isinstance(doc, list)
        or not doc
        or not all(isinstance(e, dict) and "airWaybill" in e and "eventType" in e for e in doc)
    ):
        return None
    name = ctx.carrier or "smartkargo"
    scans = []
    for e in doc:
        local = text(dig(e, "location", "timezone"))
        zone = ctx.zone(name) if ctx.tz or not local else _zone_or(local, ctx.zone(name))
        at = when(e.get("eventDate"), zone)
        if at is None:
            continue
        number = "-".join(t for t in (text(e.get("prefix")), text(e.get("airWaybill"))) if t)
        scans.append(
            RawScan(
                carrier=name,
                tracking_number=number,
                at=at,
                code=text(e.get("eventType")),
                text=text(e.get("description")),
                location=text(dig(e, "location", "city")) or text(e.get("eventLocation")),
            )
        )
    return success(name, scans)


CARRIER = Carrier(("smartkargo",), TABLE, "UTC", (), json=parse_json)
