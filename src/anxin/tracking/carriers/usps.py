"""USPS: the ``eventCode`` table, the USPS Tracking API v3 JSON (``trackingEvents``) and the
Web Tools ``TrackResponse`` XML (``TrackInfo`` with ``TrackSummary`` / ``TrackDetail``, either
as fields, TrackFieldRequest, or as sentences, TrackRequest; ``Error`` for unknown numbers).
Domestic and international tracking share one code list."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    at_offset,
    dig,
    failure,
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

# USPS ``eventCode``: arrival at a Post Office (07) is a delivery unit, not a hub.
TABLE = codes(
    {
        "GX": code(S.info_received),  # label created, awaiting item
        "MA": code(S.info_received),  # manifest acknowledgement
        "03": code(S.picked_up),  # accepted / in possession of item
        "SF": code(S.in_transit),  # departed Post Office
        "10": code(S.at_hub),  # arrived at / processed through a regional facility
        "A1": code(S.at_hub),
        "T1": code(S.in_transit),
        "TL": code(S.in_transit),
        "07": code(S.in_transit),
        "OF": code(S.out_for_delivery),
        "01": code(S.delivered),
        "17": code(S.delivered),  # picked up at the Post Office
        "16": code(S.ready_for_pickup),  # available for pickup
        "02": code(S.delivery_failed, R.not_home),  # notice left
        "04": code(S.returning, R.refused),
        "05": code(S.delivery_failed, R.address_problem),  # undeliverable as addressed
        "21": code(S.delivery_failed, R.address_problem),  # no such number
        "22": code(S.delivery_failed, R.address_problem),  # insufficient address
        "23": code(S.delivery_failed, R.address_problem),  # moved, left no address
        "25": code(S.delivery_failed, R.address_problem),  # addressee unknown
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    events = dig(doc, "trackingEvents")
    if not isinstance(events, list) or not all(
        isinstance(e, dict) and ("eventCode" in e or "eventType" in e) for e in events
    ):
        return None
    name = ctx.carrier or "usps"
    zone = ctx.zone(name)
    number = text(dig(doc, "trackingNumber"))
    scans = []
    for e in events:
        gmt = when(e.get("GMTTimestamp"), dt.UTC)
        at = (
            at_offset(gmt, text(e.get("GMTOffset"))) if gmt else when(e.get("eventTimestamp"), zone)
        )
        if at is None:
            continue
        scans.append(
            RawScan(
                carrier=name,
                tracking_number=number,
                at=at,
                code=text(e.get("eventCode")),
                text=text(e.get("eventType")),
                location=join(e.get("eventCity"), e.get("eventState"), e.get("eventCountry")),
            )
        )
    return success(name, scans)


# Web Tools dates and times: "May 21, 2001" / "12:12 pm"; sentences use the same forms, or
# "07/14/2020".
_DATE = r"[A-Z][a-z]+ \d{1,2}, \d{4}|\d{1,2}/\d{1,2}/\d{4}"
_CLOCK = r"\d{1,2}:\d{2} ?[apAP]\.?[mM]\.?"
# "Out for Delivery, 07/14/2020, 7:10 am, JERICHO, NY 11753"
_DETAIL = re.compile(rf"(?P<event>.+?), (?P<date>{_DATE}),? (?P<time>{_CLOCK})(?:, (?P<loc>.*))?")
# "Your item was delivered in or at the mailbox at 2:58 pm on July 14, 2020 in JERICHO, NY 11753."
_SUMMARY = re.compile(
    rf"(?P<event>.+?) at (?P<time>{_CLOCK}) on (?P<date>{_DATE})(?: in (?P<loc>.+?))?\.?"
)


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
    name = ctx.carrier or "usps"
    if root.tag == "Error" and root.find("Number") is not None:
        # A request-level error (authorization, malformed request).
        return failure(name, [message(xtext(root, "Number"), xtext(root, "Description"))])
    if root.tag != "TrackResponse" or root.find("TrackInfo") is None:
        return None
    zone = ctx.zone(name)
    scans: list[RawScan] = []
    errors: list[str] = []
    skipped = 0
    for info in xall(root, "TrackInfo"):
        number = text(info.get("ID"))
        for err in xall(info, "Error"):
            errors.append(message(xtext(err, "Number"), xtext(err, "Description")))
        for el in (*xall(info, "TrackSummary"), *xall(info, "TrackDetail")):
            scan = _fields(el, name, number, zone) if len(el) else _sentence(el, name, number, zone)
            if scan is not None:
                scans.append(scan)
            elif xtext(el):
                if _not_found(xtext(el)):
                    errors.append(xtext(el))
                else:
                    skipped += 1
    if skipped:
        # The sentence form of old replies ("May 30 11:07 am NOTICE LEFT …") has no year:
        # those events are left out rather than dated by a guess.
        errors.append(f"{skipped} event(s) without a readable date and time left out")
    return success(name, scans, errors)


def _not_found(sentence: str) -> bool:
    return bool(re.search(r"could not locate|may be incorrect|not yet available", sentence))


def _time(date: str, clock: str, zone: dt.tzinfo) -> dt.datetime | None:
    clock = clock.replace(".", "").upper()
    for fmt in ("%B %d, %Y %I:%M %p", "%m/%d/%Y %I:%M %p", "%B %d, %Y %I:%M%p", "%m/%d/%Y %I:%M%p"):
        try:
            local = dt.datetime.strptime(f"{date} {clock}", fmt)  # noqa: DTZ007 - zone below
        except ValueError:
            continue
        return local.replace(tzinfo=zone)
    return None


def _fields(el: ET.Element, name: str, number: str, zone: dt.tzinfo) -> RawScan | None:
    at = _time(xtext(el, "EventDate"), xtext(el, "EventTime"), zone)
    if at is None:
        return None
    return RawScan(
        name,
        number,
        at,
        xtext(el, "EventCode"),
        xtext(el, "Event"),
        join(
            xtext(el, "EventCity"),
            xtext(el, "EventState"),
            xtext(el, "EventZIPCode"),
            xtext(el, "EventCountry"),
        ),
    )


def _sentence(el: ET.Element, name: str, number: str, zone: dt.tzinfo) -> RawScan | None:
    line = xtext(el)
    m = _DETAIL.fullmatch(line.rstrip(".")) or _SUMMARY.fullmatch(line)
    if m is None:
        return None
    at = _time(m["date"], m["time"], zone)
    if at is None:
        return None
    return RawScan(name, number, at, "", text(m["event"]), text(m["loc"] or ""))


CARRIER = Carrier(
    ("usps", "usps_international"),
    TABLE,
    "America/New_York",
    json=parse_json,
    xml=parse_xml,
)
