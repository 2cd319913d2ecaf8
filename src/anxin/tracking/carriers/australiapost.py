"""Australia Post (Tracking API JSON): its event-code table, its payload parser (whose ``None`` for
another shape is its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
    items,
    message,
    success,
    text,
    when,
)
from anxin.tracking.rules import codes

TABLE = codes({})  # no published event-code list: the text rules decide


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
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


CARRIER = Carrier(
    ("australiapost",), TABLE, "Australia/Sydney", ("auspost", "australia_post"), json=parse_json
)
