"""XML (and SOAP) tracking responses. Namespaces are stripped before these run, so paths use
local element names. Each parser returns ``None`` when the document is not its shape."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    failure,
    join,
    message,
    success,
    text,
    when,
    xall,
    xtext,
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


def parse_canadapost(root: ET.Element, ctx: Context) -> ParseResult | None:
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


def parse_dhl_express(root: ET.Element, ctx: Context) -> ParseResult | None:
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


def _conditions(el: ET.Element) -> list[str]:
    return [
        message(xtext(c, "ConditionCode"), xtext(c, "ConditionData"))
        for c in xall(el, ".//Condition")
    ]


def parse_dhl_parcel_de(root: ET.Element, ctx: Context) -> ParseResult | None:
    if root.tag != "data" or root.get("name") != "piece-shipment-list":
        return None
    name = ctx.carrier or "dhl_parcel_de"
    if root.get("code") not in (None, "0"):
        return failure(name, [message(root.get("code"), root.get("error"))])
    zone = ctx.zone(name)
    scans, errors = [], []
    for piece in root.iterfind("data[@name='piece-shipment']"):
        number = text(piece.get("piece-code")) or text(piece.get("piece-identifier"))
        if piece.get("error-status") not in (None, "0"):
            errors.append(message(piece.get("error-status"), piece.get("status")))
        for e in piece.iterfind(".//data[@name='piece-event']"):
            at = when(e.get("event-timestamp"), zone)
            if at is None:
                continue
            ice, standard = text(e.get("ice")), text(e.get("standard-event-code"))
            scans.append(
                RawScan(
                    name,
                    number,
                    at,
                    f"{ice}/{standard}" if ice else standard,
                    text(e.get("event-text") or e.get("event-status")),
                    join(e.get("event-location"), e.get("event-country")),
                )
            )
    return success(name, scans, errors)


def parse_dhl_poland(root: ET.Element, ctx: Context) -> ParseResult | None:
    result = root.find(".//getTrackAndTraceInfoResult")
    if result is None:
        return None
    name = ctx.carrier or "dhl_poland"
    zone = ctx.zone(name)
    number = xtext(result, "shipmentId")
    scans = [
        RawScan(name, number, at, xtext(i, "status"), xtext(i, "description"), xtext(i, "terminal"))
        for i in xall(result, "events/item")
        if (at := when(xtext(i, "timestamp"), zone)) is not None
    ]
    return success(name, scans)


def parse_dpd(root: ET.Element, ctx: Context) -> ParseResult | None:
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


def parse_bpost(root: ET.Element, ctx: Context) -> ParseResult | None:
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


def parse_chronopost(root: ET.Element, ctx: Context) -> ParseResult | None:
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


def parse_landmark(root: ET.Element, ctx: Context) -> ParseResult | None:
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


def parse_purolator(root: ET.Element, ctx: Context) -> ParseResult | None:
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


def parse_soap_fault(root: ET.Element, ctx: Context) -> ParseResult | None:
    """A SOAP fault from any carrier: the fault string plus the detail's error message."""
    fault = root.find(".//Fault")
    if fault is None:
        return None
    detail = [
        message(xtext(d, "errorCode"), xtext(d, "errorMessage"))
        for d in fault.iter()
        if d.find("errorMessage") is not None
    ]
    return failure(
        ctx.carrier, [*detail, message(xtext(fault, "faultcode"), xtext(fault, "faultstring"))]
    )
