"""Chronopost (SOAP trackSkybillV2): its event-code table, its payload parser (whose ``None`` for
another shape is its detection), zone and aliases, in one place (decision 0015)."""

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
from anxin.tracking.vocabulary import Status as S

TABLE = codes(
    {
        "DC": code(S.info_received),
        "DB": code(S.picked_up),  # handed over by the shipper
        "DY": code(S.picked_up),  # registered by the post office
        "SC": code(S.at_hub),  # sorted at departure
        "TS": code(S.in_transit),
        "SD": code(S.at_hub),  # sorted at delivery location
        "TA": code(S.out_for_delivery),
        "D": code(S.delivered),
    }
)


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
    ret = root.find(".//trackSkybillV2Response/return")
    if ret is None:
        return None
    name = ctx.carrier or "chronopost"
    if xtext(ret, "errorCode") not in ("", "0"):
        return failure(name, [message(xtext(ret, "errorCode"), xtext(ret, "errorMessage"))])
    zone = ctx.zone(name)
    scans = []
    for listing in xall(ret, "listEventInfoComp"):
        number = xtext(listing, "skybillNumber")
        for e in xall(listing, "events"):
            at = when(xtext(e, "eventDate"), zone)
            if at is not None:
                scans.append(
                    RawScan(
                        name,
                        number,
                        at,
                        xtext(e, "code"),
                        xtext(e, "eventLabel"),
                        join(xtext(e, "officeLabel"), xtext(e, "zipCode")),
                    )
                )
    return success(name, scans)


CARRIER = Carrier(("chronopost",), TABLE, "Europe/Paris", (), xml=parse_xml)
