"""DHL Poland (SOAP): its event-code table, its payload parser (whose ``None`` for another shape is
its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    success,
    when,
    xall,
    xtext,
)
from anxin.tracking.rules import codes

TABLE = codes({})  # no published event-code list: the text rules decide


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
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


CARRIER = Carrier(("dhl_poland",), TABLE, "Europe/Warsaw", (), xml=parse_xml)
