"""Canada Post (XML): its event-code table, its payload parser (whose ``None`` for another shape is
its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    failure,
    join,
    message,
    success,
    when,
    xall,
    xtext,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

# Canada Post ``event-identifier`` (20: signature image recorded, informational, left unmapped).
TABLE = codes(
    {
        "0100": code(S.at_hub),
        "0173": code(S.exception, R.address_problem),
        "0174": code(S.out_for_delivery),
        "1496": code(S.delivered),
    }
)


# Canada Post writes North American zone abbreviations; each names a fixed offset.
_CANADA_OFFSETS = {
    "NST": "-03:30",
    "NDT": "-02:30",
    "AST": "-04:00",
    "ADT": "-03:00",
    "EST": "-05:00",
    "EDT": "-04:00",
    "CST": "-06:00",
    "CDT": "-05:00",
    "MST": "-07:00",
    "MDT": "-06:00",
    "PST": "-08:00",
    "PDT": "-07:00",
}


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
    name = ctx.carrier or "canadapost"
    detail = root if root.tag == "tracking-detail" else root.find(".//tracking-detail")
    if detail is None:
        messages = root if root.tag == "messages" else root.find(".//messages")
        if messages is None:
            return None
        return failure(
            name,
            [message(xtext(m, "code"), xtext(m, "description")) for m in xall(messages, "message")],
        )
    number = xtext(detail, "pin")
    zone = ctx.zone(name)
    scans = []
    for occ in xall(detail, ".//significant-events/occurrence"):
        stamp = f"{xtext(occ, 'event-date')} {xtext(occ, 'event-time')}"
        offset = _CANADA_OFFSETS.get(xtext(occ, "event-time-zone").upper(), "")
        at = when(stamp + offset, zone)
        if at is not None:
            scans.append(
                RawScan(
                    name,
                    number,
                    at,
                    xtext(occ, "event-identifier"),
                    xtext(occ, "event-description"),
                    join(xtext(occ, "event-site"), xtext(occ, "event-province")),
                )
            )
    return success(name, scans)


CARRIER = Carrier(("canadapost",), TABLE, "America/Toronto", ("canada_post",), xml=parse_xml)
