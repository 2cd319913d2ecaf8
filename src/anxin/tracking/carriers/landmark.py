"""Landmark Global (XML TrackResponse): its event-code table, its payload parser (whose ``None``
for another shape is its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    failure,
    message,
    success,
    when,
    xall,
    xtext,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Status as S

# Landmark Global event codes: 50-100 are order data, 125-275 movement, 300+ the last mile.
TABLE = codes(
    {
        "50": code(S.info_received),
        "60": code(S.info_received),
        "75": code(S.info_received),
        "80": code(S.info_received),
        "100": code(S.info_received),
        "125": code(S.in_transit),  # customs transmission / cleared
        "150": code(S.in_transit),  # crossing the border
        "155": code(S.at_hub, coarse=True),
        "200": code(S.in_transit, coarse=True),
        "225": code(S.at_hub, coarse=True),  # facility scans, incoming or outgoing
        "250": code(S.in_transit),  # customs clearance in progress
        "275": code(S.in_transit, coarse=True),
        "300": code(S.out_for_delivery),
        "400": code(S.delivery_failed),  # attempted delivery
        "500": code(S.delivered),
        "900": code(S.delivery_failed),
    }
)


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
    # USPS Web Tools answers with a root of the same name: Landmark's has Result / Packages.
    if root.tag != "TrackResponse" or (
        root.find("Result") is None and root.find(".//Packages") is None
    ):
        return None
    name = ctx.carrier or "landmark"
    errors = [
        message(xtext(e, "ErrorCode"), xtext(e, "ErrorMessage")) for e in xall(root, "Errors/Error")
    ]
    if xtext(root, "Result/Success").casefold() == "false":
        return failure(name, errors or [xtext(root, "Result/ResultMessage")])
    zone = ctx.zone(name)
    scans = []
    for package in xall(root, ".//Packages/Package"):
        number = xtext(package, "TrackingNumber") or xtext(package, "LandmarkTrackingNumber")
        for e in xall(package, "Events/Event"):
            at = when(xtext(e, "DateTime"), zone)
            if at is not None:
                scans.append(
                    RawScan(
                        name,
                        number,
                        at,
                        xtext(e, "EventCode"),
                        xtext(e, "Status"),
                        xtext(e, "Location"),
                    )
                )
    return success(name, scans, errors)


CARRIER = Carrier(("landmark",), TABLE, "UTC", ("landmark_global",), xml=parse_xml)
