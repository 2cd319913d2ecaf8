"""FedEx: the event-type code table, the Track API JSON (``output.completeTrackResults``) and the
Web Services ``TrackReply`` XML (SOAP, ``http://fedex.com/ws/track/vN``; both use one
``EventType`` code list, so one table serves both generations)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import Kind, ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    both,
    dig,
    failure,
    items,
    join,
    message,
    success,
    text,
    when,
    xall,
    xtext,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

TABLE = codes(
    {
        "OC": code(S.info_received),  # shipment information sent to FedEx
        "IN": code(S.info_received),  # derived: initiated
        "PU": code(S.picked_up),
        "PX": code(S.picked_up),
        "OF": code(S.at_hub),  # at FedEx origin facility
        "AR": code(S.at_hub),
        "AF": code(S.at_hub, coarse=True),  # at a facility, or tendered there by the shipper
        "FD": code(S.at_hub),  # at FedEx destination facility
        "SF": code(S.at_hub),  # at sort facility
        "DP": code(S.in_transit),
        "LO": code(S.in_transit),  # left origin
        "IT": code(S.in_transit),
        "EA": code(S.in_transit),  # enroute to airport
        "PL": code(S.in_transit),  # plane landed
        "TR": code(S.in_transit),  # transfer
        "CC": code(S.in_transit),  # cleared customs
        "AO": code(S.in_transit),  # notice: arriving on time
        "AE": code(S.in_transit),  # notice: arriving early
        "OD": code(S.out_for_delivery),
        "HL": code(S.ready_for_pickup),  # hold at location
        "HP": code(S.ready_for_pickup),  # ready for recipient pickup
        "DL": code(S.delivered, coarse=True),  # also "delivered to shipper" on a return
        "DE": code(S.delivery_failed),
        "SE": code(S.exception, coarse=True),
        "DY": code(S.exception, R.delayed),
        "CD": code(S.exception, R.customs),  # clearance delay
        "CA": code(S.exception, R.cancelled),
        "RS": code(S.returning),
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    name = ctx.carrier or "fedex"
    out = dig(doc, "output")
    if isinstance(out, dict) and ("documents" in out or "documentType" in out):
        return ParseResult(Kind.error, name, (), ("a proof-of-delivery document, not tracking",))
    if not isinstance(out, dict) or "completeTrackResults" not in out:
        if isinstance(doc, dict) and "transactionId" in doc and "errors" in doc:
            return failure(
                name,
                [
                    message(e.get("code"), e.get("message"))
                    for e in items(doc["errors"])
                    if isinstance(e, dict)
                ],
            )
        return None
    zone = ctx.zone(name)
    scans, errors = [], []
    for complete in items(out["completeTrackResults"]):
        for result in items(dig(complete, "trackResults")):
            number = text(dig(result, "trackingNumberInfo", "trackingNumber"))
            number = number or text(dig(complete, "trackingNumber"))
            if isinstance(err := dig(result, "error"), dict):
                errors.append(message(err.get("code"), err.get("message")))
            for e in items(dig(result, "scanEvents")):
                at = when(dig(e, "date"), zone)
                if at is None:
                    continue
                place = dig(e, "scanLocation")
                scans.append(
                    RawScan(
                        carrier=name,
                        tracking_number=number,
                        at=at,
                        code=text(e.get("eventType")) or text(e.get("derivedStatusCode")),
                        text=both(e.get("eventDescription"), e.get("exceptionDescription")),
                        location=join(
                            dig(place, "city"),
                            dig(place, "stateOrProvinceCode"),
                            dig(place, "countryCode"),
                        ),
                    )
                )
    return success(name, scans, errors)


# Web Services severities: the reply (or one parcel) failed.
_FAILED = frozenset({"ERROR", "FAILURE"})


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
    """``TrackReply`` (namespaces already stripped), bare or in a SOAP envelope. Parcels are
    ``CompletedTrackDetails/TrackDetails`` (v10 and later) or ``TrackDetails`` (earlier)."""
    reply = root if root.tag == "TrackReply" else root.find(".//TrackReply")
    if reply is None:
        return None
    name = ctx.carrier or "fedex"
    if xtext(reply, "HighestSeverity").upper() in _FAILED and reply.find(".//Events") is None:
        return failure(
            name, _notices(reply, ".//Notifications") + _notices(reply, ".//Notification")
        )
    zone = ctx.zone(name)
    scans: list[RawScan] = []
    errors: list[str] = []
    for detail in reply.iter("TrackDetails"):
        number = xtext(detail, "TrackingNumber")
        errors += _notices(detail, "Notification")
        for e in xall(detail, "Events"):
            at = when(xtext(e, "Timestamp"), zone)
            if at is None:
                continue
            scans.append(
                RawScan(
                    name,
                    number,
                    at,
                    xtext(e, "EventType"),
                    both(xtext(e, "EventDescription"), xtext(e, "StatusExceptionDescription")),
                    join(
                        xtext(e, "Address/City"),
                        xtext(e, "Address/StateOrProvinceCode"),
                        xtext(e, "Address/CountryCode"),
                    ),
                )
            )
    if not scans and not errors and reply.find(".//TrackDetails") is None:
        return ParseResult(Kind.error, name, (), ("a TrackReply without TrackDetails",))
    return success(name, scans, errors)


def _notices(el: ET.Element, path: str) -> list[str]:
    """The failing notifications under ``el`` (success notes are not errors)."""
    return [
        message(xtext(n, "Code"), xtext(n, "Message"))
        for n in xall(el, path)
        if xtext(n, "Severity").upper() in _FAILED
    ]


CARRIER = Carrier(
    ("fedex",),
    TABLE,
    "UTC",
    ("fedex_express", "fdx", "fedex_ground"),
    json=parse_json,
    xml=parse_xml,
)
