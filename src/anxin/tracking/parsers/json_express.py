"""JSON tracking responses of the express and North American carriers, and the generic JSON
error shapes (problem+json, OAuth errors, ``{"error": {...}}``, ``errors[]``) carriers reuse.

Each parser returns ``None`` when the payload is not its shape, so detection can try the next.
``ctx.carrier`` is the carrier name the result should carry (the dispatcher sets it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from anxin.tracking.model import Kind, ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    at_offset,
    both,
    dig,
    failure,
    items,
    join,
    load_zone,
    message,
    status_number,
    success,
    text,
    when,
)


def parse_ups(doc: Any, ctx: Context) -> ParseResult | None:
    name = ctx.carrier or "ups"
    if isinstance(errs := dig(doc, "response", "errors"), list):
        return failure(name, [message(dig(e, "code"), dig(e, "message")) for e in errs])
    shipments = dig(doc, "trackResponse", "shipment")
    if shipments is None:
        return None
    zone = ctx.zone(name)
    scans, errors = [], []
    for shipment in items(shipments):
        errors += [
            message(dig(w, "code"), dig(w, "message")) for w in items(dig(shipment, "warnings"))
        ]
        number = text(dig(shipment, "inquiryNumber"))
        for package in items(dig(shipment, "package")):
            for act in items(dig(package, "activity")):
                status = dig(act, "status") or {}
                kind, detail = text(dig(status, "type")), text(dig(status, "code"))
                at = _ups_time(act, zone)
                if at is None:
                    continue
                address = dig(act, "location", "address")
                scans.append(
                    RawScan(
                        carrier=name,
                        tracking_number=number,
                        at=at,
                        code=f"{kind}/{detail}" if kind and detail else kind or detail,
                        text=text(dig(status, "description")),
                        location=join(
                            dig(address, "city"),
                            dig(address, "stateProvince"),
                            dig(address, "countryCode"),
                        ),
                    )
                )
    return success(name, scans, errors)


def _ups_time(act: Any, zone: dt.tzinfo) -> dt.datetime | None:
    gmt = when(text(dig(act, "gmtDate")) + text(dig(act, "gmtTime")), dt.UTC)
    if gmt is not None:
        return at_offset(gmt, text(dig(act, "gmtOffset")))
    return when(text(dig(act, "date")) + text(dig(act, "time")), zone)


def parse_dhl_universal(doc: Any, ctx: Context) -> ParseResult | None:
    shipments = dig(doc, "shipments")
    if not isinstance(shipments, list) or not any(
        isinstance(s, dict) and "id" in s and "shipmentTrackingNumber" not in s for s in shipments
    ):
        return None
    name = ctx.carrier or "dhl_universal"
    zone = ctx.zone(name)
    scans = []
    for shipment in shipments:
        number = text(dig(shipment, "id"))
        for e in items(dig(shipment, "events")):
            at = when(dig(e, "timestamp"), zone)
            if at is None:
                continue
            address = dig(e, "location", "address")
            scans.append(
                RawScan(
                    carrier=name,
                    tracking_number=number,
                    at=at,
                    code=text(dig(e, "statusCode")),
                    text=both(dig(e, "status"), dig(e, "description")),
                    location=join(dig(address, "addressLocality"), dig(address, "countryCode")),
                )
            )
    return success(name, scans)


def parse_mydhl(doc: Any, ctx: Context) -> ParseResult | None:
    name = ctx.carrier or "mydhl"
    documents = dig(doc, "documents")
    if isinstance(documents, list) and len(doc) == 1:
        return ParseResult(Kind.error, name, (), ("a proof-of-delivery document, not tracking",))
    shipments = dig(doc, "shipments")
    if not isinstance(shipments, list) or not any(
        isinstance(s, dict) and "shipmentTrackingNumber" in s for s in shipments
    ):
        return None
    zone = ctx.zone(name)
    scans = []
    for shipment in shipments:
        number = text(dig(shipment, "shipmentTrackingNumber"))
        for e in items(dig(shipment, "events")):
            at = when(f"{text(dig(e, 'date'))} {text(dig(e, 'time'))}", zone)
            if at is None:
                continue
            scans.append(
                RawScan(
                    carrier=name,
                    tracking_number=number,
                    at=at,
                    code=text(dig(e, "typeCode")),
                    text=text(dig(e, "description")),
                    location=text(dig(e, "serviceArea", 0, "description")),
                )
            )
    return success(name, scans)


def parse_asendia(doc: Any, ctx: Context) -> ParseResult | None:
    events = dig(doc, "trackingEvents")
    if not isinstance(events, list) or not all(
        isinstance(e, dict) and "carrierEventDescription" in e for e in events
    ):
        return None
    name = ctx.carrier or "asendia"
    zone = ctx.zone(name)
    number = text(dig(doc, "trackingNumber"))
    scans = [
        RawScan(
            name,
            number,
            at,
            text(e.get("code")),
            text(e.get("carrierEventDescription")),
            join(e.get("locationName"), e.get("locationCountry")),
        )
        for e in events
        if (at := when(e.get("time"), zone)) is not None
    ]
    return success(name, scans)


def parse_teleship(doc: Any, ctx: Context) -> ParseResult | None:
    events = dig(doc, "events")
    if "trackingNumber" not in (doc if isinstance(doc, dict) else {}) or not isinstance(
        events, list
    ):
        return None
    name = ctx.carrier or "teleship"
    zone = ctx.zone(name)
    number = text(doc.get("trackingNumber"))
    scans = [
        RawScan(
            name,
            number,
            at,
            text(dig(e, "code")),
            text(dig(e, "description")),
            text(dig(e, "location")),
        )
        for e in events
        if (at := when(dig(e, "timestamp"), zone)) is not None
    ]
    return success(name, scans)


def parse_sendle(doc: Any, ctx: Context) -> ParseResult | None:
    events = dig(doc, "tracking_events")
    if not isinstance(events, list):
        return None
    name = ctx.carrier or "sendle"
    zone = ctx.zone(name)
    number = text(dig(doc, "sendle_reference")) or text(dig(doc, "tracking_number"))
    scans = []
    for e in events:
        at = when(dig(e, "display_time") or dig(e, "scan_time"), zone)
        if at is None:
            continue
        why = text(dig(e, "reason"))
        description = text(dig(e, "description"))
        scans.append(
            RawScan(
                carrier=name,
                tracking_number=number,
                at=at,
                code=text(dig(e, "event_type")),
                text=f"{description} ({why})" if why else description,
                location=text(dig(e, "location")),
            )
        )
    return success(name, scans)


def parse_smartkargo(doc: Any, ctx: Context) -> ParseResult | None:
    if (
        not isinstance(doc, list)
        or not doc
        or not all(isinstance(e, dict) and "airWaybill" in e and "eventType" in e for e in doc)
    ):
        return None
    name = ctx.carrier or "smartkargo"
    scans = []
    for e in doc:
        local = text(dig(e, "location", "timezone"))
        zone = ctx.zone(name) if ctx.tz or not local else _zone_or(local, ctx.zone(name))
        at = when(e.get("eventDate"), zone)
        if at is None:
            continue
        number = "-".join(t for t in (text(e.get("prefix")), text(e.get("airWaybill"))) if t)
        scans.append(
            RawScan(
                carrier=name,
                tracking_number=number,
                at=at,
                code=text(e.get("eventType")),
                text=text(e.get("description")),
                location=text(dig(e, "location", "city")) or text(e.get("eventLocation")),
            )
        )
    return success(name, scans)


def _zone_or(name: str, fallback: dt.tzinfo) -> dt.tzinfo:
    try:
        return load_zone(name)
    except ValueError:
        return fallback


# ---------------------------------------------------------------- generic error shapes


def parse_json_error(doc: Any, ctx: Context) -> ParseResult | None:
    """Error bodies shared by many APIs; the carrier is whatever the caller named."""
    if not isinstance(doc, dict):
        return None
    status = status_number(doc.get("status"))
    if "title" in doc and "status" in doc and ("detail" in doc or "instance" in doc):
        return failure(ctx.carrier, [text(doc.get("detail")) or text(doc.get("title"))], status)
    err = doc.get("error")
    if isinstance(err, str) and err:
        return failure(ctx.carrier, [message(err, doc.get("error_description"))])
    if isinstance(err, dict):
        return failure(ctx.carrier, [message(err.get("code"), err.get("message"))])
    for key in ("errors", "Errors", "messages"):
        if isinstance(doc.get(key), list) and len(doc) <= 3:
            return failure(ctx.carrier, [_error_text(e) for e in doc[key]])
    return None


def _error_text(e: Any) -> str:
    if not isinstance(e, dict):
        return text(e)
    body = text(e.get("message") or e.get("Message") or e.get("detail") or e.get("name"))
    return message(e.get("code") or e.get("Key"), body)
