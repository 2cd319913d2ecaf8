"""La Poste / Colissimo (Suivi API JSON): its event-code table, its payload parser (whose ``None``
for another shape is its detection), zone and aliases, in one place (decision 0015)."""

from __future__ import annotations

from typing import Any

from anxin.tracking.carriers.carrier import Carrier
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import (
    Context,
    dig,
    failure,
    items,
    message,
    success,
    text,
    when,
)
from anxin.tracking.rules import code, codes
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

# La Poste / Colissimo tracking event codes.
TABLE = codes(
    {
        "DR1": code(S.info_received),  # declared, being prepared by the sender
        "PC1": code(S.picked_up),  # taken in charge
        "PC2": code(S.picked_up),
        "ET1": code(S.in_transit),
        "ET2": code(S.in_transit),
        "ET3": code(S.in_transit),
        "ET4": code(S.in_transit),
        "EP1": code(S.in_transit),  # awaiting presentation
        "DO1": code(S.in_transit),  # into customs
        "DO2": code(S.in_transit),  # out of customs
        "DO3": code(S.exception, R.customs),  # held by customs
        "PB1": code(S.exception),
        "PB2": code(S.in_transit),  # problem solved
        "MD2": code(S.out_for_delivery),
        "AG1": code(S.ready_for_pickup),
        "ND1": code(S.delivery_failed),
        "RE1": code(S.returning),
        "DI1": code(S.delivered),
        "DI2": code(S.returned),  # delivered to the sender
    }
)


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
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


CARRIER = Carrier(("laposte",), TABLE, "Europe/Paris", ("colissimo", "la_poste"), json=parse_json)
