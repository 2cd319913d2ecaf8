"""Purolator (SOAP TrackPackagesByPin): its event-code table, its payload parser (whose ``None``
for another shape is its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    message,
    success,
    when,
    xall,
    xtext,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Status as S

# Purolator ``ScanType`` ("Other" is left to the text).
TABLE = codes(
    {
        "ProofOfPickUp": code(S.picked_up),
        "OnDelivery": code(S.out_for_delivery),
        "Delivery": code(S.delivered),
        "Undeliverable": code(S.delivery_failed),
    }
)


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
    response = root.find(".//TrackPackagesByPinResponse")
    if response is None:
        return None
    name = ctx.carrier or "purolator"
    errors = [
        message(xtext(e, "Code"), xtext(e, "Description"))
        for e in xall(response, "ResponseInformation/Errors/Error")
    ]
    zone = ctx.zone(name)
    scans = []
    for info in xall(response, ".//TrackingInformation"):
        number = xtext(info, "PIN/Value")
        for scan in xall(info, "Scans/Scan"):
            at = when(xtext(scan, "ScanDate").replace("-", "") + xtext(scan, "ScanTime"), zone)
            if at is not None:
                scans.append(
                    RawScan(
                        name,
                        number,
                        at,
                        xtext(scan, "ScanType"),
                        xtext(scan, "Description"),
                        xtext(scan, "Depot/Name"),
                    )
                )
    return success(name, scans, errors)


CARRIER = Carrier(("purolator",), TABLE, "America/Toronto", (), xml=parse_xml)
