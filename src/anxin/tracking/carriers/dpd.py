"""DPD (ParcelLifeCycle SOAP): its event-code table, its payload parser (whose ``None`` for another
shape is its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    success,
    text,
    when,
    xall,
    xtext,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Status as S

# DPD ParcelLifeCycle ``status`` names.
TABLE = codes(
    {
        "ACCEPTED": code(S.picked_up),
        "PickedUp": code(S.picked_up),
        "BetweenDepots": code(S.in_transit, coarse=True),
        "AT_SENDING_DEPOT": code(S.at_hub),
        "ON_THE_ROAD": code(S.in_transit),
        "Depot": code(S.at_hub),
        "AT_DELIVERY_DEPOT": code(S.at_hub),
        "Courier": code(S.out_for_delivery),
        "ParcelShop": code(S.ready_for_pickup),
        "Delivered": code(S.delivered),
        "DELIVERED": code(S.delivered),
        "DeliveryFailure": code(S.delivery_failed),
        # Back at the depot after a failed attempt: the attempt failed.
        "ReturningFromDelivery": code(S.delivery_failed),
    }
)


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
    response = root.find(".//getTrackingDataResponse")
    if response is None:
        return None
    name = ctx.carrier or "dpd"
    zone = ctx.zone(name)
    number = xtext(response, ".//shipmentInfo/parcelLabelNumber")
    scans = []
    for info in xall(response, ".//statusInfo"):
        at = when(xtext(info, "date/content"), zone)
        if at is None:
            continue
        description = " ".join(xtext(c, "content") for c in xall(info, "description/content"))
        scans.append(
            RawScan(
                name,
                number,
                at,
                xtext(info, "status"),
                text(description) or xtext(info, "label/content"),
                xtext(info, "location/content"),
            )
        )
    return success(name, scans)


CARRIER = Carrier(("dpd",), TABLE, "Europe/Berlin", (), xml=parse_xml)
