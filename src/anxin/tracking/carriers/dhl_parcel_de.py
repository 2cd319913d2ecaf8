"""DHL Paket Germany (XML): its event-code table, its payload parser (whose ``None`` for another
shape is its detection), zone and aliases, in one place (decision 0015)."""

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
    text,
    when,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Status as S

# DHL Parcel Germany: ``standard-event-code`` and the ``ice`` event codes.
TABLE = codes(
    {
        "ES": code(S.picked_up),  # posted by the sender (Einlieferung)
        "AE": code(S.picked_up),  # picked up (Abholung erfolgreich)
        "AA": code(S.at_hub, coarse=True),  # origin parcel centre (or leaving a Packstation)
        "EE": code(S.at_hub),  # destination parcel centre
        "PO": code(S.out_for_delivery),  # loaded onto the delivery vehicle
        "ZU": code(S.delivered),
        "SHRCU": code(S.picked_up),
        "PCKDU": code(S.picked_up),
        "LDTMV": code(S.in_transit, coarse=True),
        "ULFMV": code(S.at_hub, coarse=True),
        "SRTED": code(S.at_hub, coarse=True),
        "DLVRD": code(S.delivered),
    }
)


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
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


CARRIER = Carrier(
    ("dhl_parcel_de",), TABLE, "Europe/Berlin", ("dhl_de", "deutschepost"), xml=parse_xml
)
