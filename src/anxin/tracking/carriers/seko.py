"""SEKO / Omni Parcel (JSON): its event-code table, its payload parser (whose ``None`` for another
shape is its detection), zone and aliases, in one place (decision 0015)."""

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

# SEKO Omni ``OmniCode``.
TABLE = codes(
    {
        "OP-1": code(S.info_received),
        "OP-8": code(S.info_received),
        "OP-3": code(S.at_hub),  # export hub
        "OP-4": code(S.in_transit, coarse=True),  # handed over / international transit
        "OP-50": code(S.at_hub),
        "OP-79": code(S.in_transit),
        "OP-21": code(S.out_for_delivery),
        "OP-72": code(S.delivered),
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    if (
        not isinstance(doc, list)
        or not doc
        or not all(isinstance(c, dict) and "ConsignmentNo" in c for c in doc)
    ):
        return None
    name = ctx.carrier or "seko"
    zone = ctx.zone(name)
    scans = []
    for consignment in doc:
        number = text(consignment.get("ConsignmentNo"))
        for e in items(consignment.get("Events")):
            at = when(dig(e, "EventDT"), zone)
            if at is None:
                continue
            # OmniCode is SEKO's own vocabulary; ``Code`` is the last-mile carrier's.
            scans.append(
                RawScan(
                    name,
                    number,
                    at,
                    text(dig(e, "OmniCode")) or text(dig(e, "Code")),
                    text(dig(e, "Description")),
                    text(dig(e, "Location")),
                )
            )
    return success(name, scans)


CARRIER = Carrier(("seko",), TABLE, "Europe/London", ("omniparcel",), json=parse_json)
