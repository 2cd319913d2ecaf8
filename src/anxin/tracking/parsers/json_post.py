"""JSON tracking responses of the postal and European / Australian parcel carriers.

Each parser returns ``None`` when the payload is not its shape, so detection can try the next.
"""

from __future__ import annotations

from typing import Any

from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
    failure,
    items,
    join,
    message,
    success,
    text,
    when,
)


def parse_australiapost(doc: Any, ctx: Context) -> ParseResult | None:
    results = dig(doc, "tracking_results")
    if not isinstance(results, list):
        return None
    name = ctx.carrier or "australiapost"
    zone = ctx.zone(name)
    scans, errors = [], []
    for result in results:
        number = text(dig(result, "tracking_id"))
        errors += [
            message(dig(e, "code"), dig(e, "name") or dig(e, "message"))
            for e in items(dig(result, "errors"))
        ]
        # An article sits in ``trackable_items`` directly, or in a consignment's ``items``.
        articles = []
        for trackable in items(dig(result, "trackable_items")):
            articles += items(dig(trackable, "items")) or [trackable]
        for article in articles:
            for e in items(dig(article, "events")):
                at = when(dig(e, "date"), zone)
                if at is not None:
                    scans.append(
                        RawScan(
                            name,
                            number,
                            at,
                            "",
                            text(dig(e, "description")),
                            text(dig(e, "location")),
                        )
                    )
    return success(name, scans, errors)


def parse_laposte(doc: Any, ctx: Context) -> ParseResult | None:
    answers = [d for d in items(doc) if isinstance(d, dict) and "returnCode" in d]
    if not answers:
        return None
    name = ctx.carrier or "laposte"
    zone = ctx.zone(name)
    scans, errors = [], []
    for answer in answers:
        shipment = dig(answer, "shipment")
        if not isinstance(shipment, dict):
            errors.append(message(answer.get("returnCode"), answer.get("returnMessage")))
            continue
        number = text(shipment.get("idShip"))
        for e in items(shipment.get("event")):
            at = when(dig(e, "date"), zone)
            if at is not None:
                scans.append(
                    RawScan(
                        name,
                        number,
                        at,
                        text(dig(e, "code")),
                        text(dig(e, "label")),
                        text(dig(e, "siteName")),
                    )
                )
    if not scans and errors:
        status = next((d.get("returnCode") for d in answers), None)
        return failure(name, errors, status if isinstance(status, int) else None)
    return success(name, scans, errors)


def parse_gls(doc: Any, ctx: Context) -> ParseResult | None:
    parcels = dig(doc, "parcels")
    if not isinstance(parcels, list):
        return None
    name = ctx.carrier or "gls"
    zone = ctx.zone(name)
    scans, errors = [], []
    for parcel in parcels:
        number = text(dig(parcel, "unitno")) or text(dig(parcel, "requested"))
        if dig(parcel, "errorCode") or dig(parcel, "errorMessage"):
            errors.append(message(dig(parcel, "errorCode"), dig(parcel, "errorMessage")))
        for e in items(dig(parcel, "events")):
            at = when(dig(e, "eventDateTime"), zone)
            if at is not None:
                scans.append(
                    RawScan(
                        name,
                        number,
                        at,
                        text(dig(e, "code")),
                        text(dig(e, "description")),
                        join(dig(e, "city"), dig(e, "country")),
                    )
                )
    return success(name, scans, errors)


def parse_hermes(doc: Any, ctx: Context) -> ParseResult | None:
    infos = dig(doc, "shipmentinfo")
    if not isinstance(infos, list):
        return None
    name = ctx.carrier or "hermes"
    zone = ctx.zone(name)
    scans, errors = [], []
    for info in infos:
        number = text(dig(info, "shipmentID"))
        if isinstance(result := dig(info, "result"), dict):
            errors.append(message(result.get("code"), result.get("message")))
        for e in items(dig(info, "status")):
            at = when(dig(e, "timestamp"), zone)
            if at is not None:
                unit = dig(e, "scanningUnit")
                scans.append(
                    RawScan(
                        name,
                        number,
                        at,
                        text(dig(e, "code")),
                        text(dig(e, "description")),
                        join(dig(unit, "city"), dig(unit, "countryCode")),
                    )
                )
    return success(name, scans, errors)


def parse_parcelone(doc: Any, ctx: Context) -> ParseResult | None:
    results = dig(doc, "results")
    if not isinstance(results, dict) or "Events" not in results:
        return None
    name = ctx.carrier or "parcelone"
    zone = ctx.zone(name)
    number = text(results.get("CarrierTrackingID")) or text(results.get("TrackingID"))
    scans = [
        RawScan(
            name,
            number,
            at,
            text(dig(e, "StatusCode")),
            text(dig(e, "Description")),
            text(dig(e, "Location")),
        )
        for e in items(results.get("Events"))
        if (at := when(dig(e, "DateTime"), zone)) is not None
    ]
    return success(name, scans)


def parse_seko(doc: Any, ctx: Context) -> ParseResult | None:
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


def parse_spring(doc: Any, ctx: Context) -> ParseResult | None:
    if not isinstance(doc, dict) or "ErrorLevel" not in doc:
        return None
    name = ctx.carrier or "spring"
    shipment = doc.get("Shipment")
    if not isinstance(shipment, dict):
        return failure(name, [text(doc.get("Error")) or f"ErrorLevel {doc.get('ErrorLevel')}"])
    zone = ctx.zone(name)
    number = text(shipment.get("TrackingNumber"))
    scans = [
        RawScan(
            name,
            number,
            at,
            text(dig(e, "Code")),
            text(dig(e, "Description")),
            join(dig(e, "City"), dig(e, "Country")),
        )
        for e in items(shipment.get("Events"))
        if (at := when(dig(e, "Timestamp") or dig(e, "DateTime"), zone)) is not None
    ]
    return success(name, scans, [text(doc.get("Error"))])
