"""DHL Express (XML-PI TrackingResponse): its event-code table, its payload parser (whose ``None``
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
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

# DHL Express checkpoint codes (XML Tracking and MyDHL API).
TABLE = codes(
    {
        "SA": code(S.picked_up),  # shipment acceptance
        "PU": code(S.picked_up),
        "PL": code(S.at_hub),  # processed at location
        "AF": code(S.at_hub),  # arrived at facility
        "AR": code(S.at_hub),  # arrived at delivery facility
        "PO": code(S.in_transit, coarse=True),  # processed at / departing origin
        "DF": code(S.in_transit),
        "TP": code(S.in_transit),  # forwarded to a third party
        "IC": code(S.in_transit),  # in clearance processing
        "CR": code(S.in_transit),  # clearance release
        "CC": code(S.in_transit, coarse=True),
        "WC": code(S.out_for_delivery),
        "OK": code(S.delivered),
        "NH": code(S.delivery_failed, R.not_home),
        "CA": code(S.delivery_failed, R.business_closed),  # closed on arrival
        "BA": code(S.delivery_failed, R.address_problem),
        "CM": code(S.delivery_failed, R.address_problem),  # consignee moved
        "MD": code(S.exception, R.delayed),  # missed delivery cycle
        "TD": code(S.exception, R.delayed),  # transport delay
        "MS": code(S.exception, R.missorted),
        "CD": code(S.exception, R.customs),  # controllable clearance delay
        "UD": code(S.exception, R.customs),  # uncontrollable clearance delay
        "HP": code(S.exception, R.duties_unpaid),  # held for payment
        "OH": code(S.exception, R.held),
        "SS": code(S.exception, R.held),  # shipment stopped
        "DA": code(S.exception, coarse=True),
        "RD": code(S.returning, R.refused, coarse=True),  # refused delivery
        "RT": code(S.returning, coarse=True),  # returned to consignor
    }
)


def _conditions(el: ET.Element) -> list[str]:
    return [
        message(xtext(c, "ConditionCode"), xtext(c, "ConditionData"))
        for c in xall(el, ".//Condition")
    ]


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
    name = ctx.carrier or "dhl_express"
    if root.tag == "ShipmentTrackingErrorResponse":
        return failure(name, _conditions(root))
    if root.tag != "TrackingResponse":
        return None
    zone = ctx.zone(name)
    scans, errors = [], []
    for awb in xall(root, "AWBInfo"):
        number = xtext(awb, "AWBNumber")
        if xtext(awb, "Status/ActionStatus").casefold() != "success":
            errors += _conditions(awb) or [xtext(awb, "Status/ActionStatus")]
        for e in xall(awb, "ShipmentInfo/ShipmentEvent"):
            at = when(f"{xtext(e, 'Date')} {xtext(e, 'Time')}", zone)
            if at is not None:
                scans.append(
                    RawScan(
                        name,
                        number,
                        at,
                        xtext(e, "ServiceEvent/EventCode"),
                        xtext(e, "ServiceEvent/Description"),
                        xtext(e, "ServiceArea/Description"),
                    )
                )
    return success(name, scans, errors)


CARRIER = Carrier(("dhl_express",), TABLE, "UTC", ("dhl",), xml=parse_xml)
