"""bpost (XML): its event-code table, its payload parser (whose ``None`` for another shape is its
detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    failure,
    success,
    when,
    xall,
    xtext,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Status as S

TABLE = codes(
    {
        "T00": code(S.at_hub),  # sorted
        "L00": code(S.out_for_delivery),  # bound to round
        "U01": code(S.delivered),
    }
)


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
    name = ctx.carrier or "bpost"
    if root.tag == "systemException":
        return failure(name, [xtext(root, "message")])
    if root.tag != "itemTracking":
        return None
    zone = ctx.zone(name)
    number = xtext(root, "itemCode")
    scans = [
        RawScan(
            name,
            number,
            at,
            xtext(s, "stateCode"),
            xtext(s, "stateDescription"),
            xtext(s, "location"),
        )
        for s in xall(root, "stateInfo")
        if (at := when(xtext(s, "time"), zone)) is not None
    ]
    return success(name, scans)


CARRIER = Carrier(("bpost",), TABLE, "Europe/Brussels", (), xml=parse_xml)
