"""Hermes / Evri (JSON): its event-code table, its payload parser (whose ``None`` for another shape
is its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
    items,
    join,
    message,
    success,
    text,
    when,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Status as S

TABLE = codes(
    {
        "0000": code(S.info_received),  # notified electronically
        "2000": code(S.at_hub),  # at a Hermes distribution centre
        "3000": code(S.out_for_delivery),
        "3500": code(S.delivered),
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
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


CARRIER = Carrier(("hermes",), TABLE, "Europe/Berlin", ("evri",), json=parse_json)
