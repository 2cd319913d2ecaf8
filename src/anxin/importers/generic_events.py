"""Records read through a mapping → anxin contract events (pure; ids derive from the rows).

Event ids are ``csv-<mapping name>-…`` plus the user's own ids, so the same files always give
the same events and a re-import is absorbed as duplicates. An id that would pass the contract's
128 characters becomes a digest (deterministic, unique).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Mapping as MappingType
from typing import Any

from anxin.contract import events as ev
from anxin.importers.csvread import end_of_local_day
from anxin.importers.olist_events import MAX_ID, MAX_SHORT, MAX_TEXT
from anxin.tracking.vocabulary import Status

# A scan's status in words: carriers' free text anxin reads for any carrier ("Picked up").
WORDS = {s.value: s.value.replace("_", " ").capitalize() for s in Status}


def event_id(prefix: str, *parts: str) -> str:
    made = "-".join([prefix, *parts])
    if len(made) <= MAX_ID:
        return made
    return f"{prefix}-{hashlib.blake2b(made.encode(), digest_size=16).hexdigest()}"[:MAX_ID]


def derived_id(record: MappingType[str, Any], seen: Counter[str]) -> str:
    """An id for a row without one: a digest of its facts, numbered among identical rows."""
    digest = hashlib.blake2b(repr(sorted(record.items())).encode(), digest_size=12).hexdigest()
    seen[digest] += 1
    return f"derived-{digest}-{seen[digest]}"


def _aware(value: object) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) else None


def placed(
    prefix: str,
    source: str,
    facts: MappingType[str, Any],
    lines: list[tuple[str, int, int, str, str]],  # sku, quantity, unit price, title, category
    merchant: str,
    amount: int,
    ship_by: list[dt.datetime],
    country: str,
    zone: Any,
) -> ev.OrderPlaced:
    order_id, currency = facts["order_id"], facts["currency"]
    merged: dict[tuple[str, int], ev.Item] = {}
    for sku, quantity, price, title, category in lines:
        had = merged.get((sku, price))
        merged[(sku, price)] = ev.Item(
            sku=sku,
            quantity=quantity + (had.quantity if had else 0),
            unit_price=ev.Money(price, currency),
            category=category[:MAX_SHORT],
            title=title[:MAX_TEXT],
        )
    promises = [ev.Promise(kind="ship", source="marketplace_export", by=by) for by in ship_by]
    if (deliver_by := _aware(facts.get("deliver_by"))) is not None:
        by = end_of_local_day(deliver_by, zone)
        promises.append(ev.Promise(kind="deliver", source="marketplace_export", by=by))
    where = [facts.get(k) or "" for k in ("province", "city", "postal_code")]
    country = str(facts.get("country") or country)
    destination = None
    if country:
        destination = ev.Region(
            country=country,
            province=str(where[0])[:MAX_SHORT],
            city=str(where[1])[:MAX_SHORT],
            postal_code=str(where[2])[:MAX_SHORT],
        )
    return ev.OrderPlaced(
        id=event_id(prefix, "order", order_id, "placed"),
        occurred_at=facts["placed_at"],
        source=source,
        payload=ev.OrderPlacedPayload(
            order_id=order_id,
            merchant_id=merchant,
            consumer_id=facts["consumer_id"],
            items=list(merged.values()),
            amount=ev.Money(amount, currency),
            promises=promises,
            destination=destination,
        ),
    )


def paid(prefix: str, source: str, facts: MappingType[str, Any], amount: int) -> ev.OrderPaid:
    order_id = facts["order_id"]
    return ev.OrderPaid(
        id=event_id(prefix, "order", order_id, "paid"),
        occurred_at=facts["paid_at"],
        source=source,
        payload=ev.OrderPaidPayload(
            order_id=order_id, amount_paid=ev.Money(amount, facts["currency"])
        ),
    )


def shipment(
    prefix: str,
    source: str,
    order_id: str,
    carrier: str,
    tracking: str,
    shipment_id: str,
    shipped: dt.datetime | None,
    picked_up: dt.datetime | None,
    delivered: dt.datetime | None,
) -> list[ev.Event]:
    """A parcel and its milestone scans (``picked_up`` at hand-over, ``delivered``)."""
    left = shipped or picked_up or delivered
    if left is None:
        return []
    base = event_id(prefix, "shipment", carrier, tracking)
    made: list[ev.Event] = [
        ev.ShipmentCreated(
            id=f"{base}-created" if len(base) < MAX_ID - 8 else event_id(base, "created"),
            occurred_at=left,
            source=source,
            payload=ev.ShipmentCreatedPayload(
                order_id=order_id,
                shipment_id=shipment_id[:MAX_ID],
                carrier=carrier[:64],
                tracking_number=tracking,
            ),
        )
    ]
    for status, at in (("picked_up", picked_up), ("delivered", delivered)):
        if at is not None:
            made.append(scan(base, source, carrier, tracking, at, status, "", WORDS[status], ""))
    return made


def scan(
    base: str,
    source: str,
    carrier: str,
    tracking: str,
    at: dt.datetime,
    status: str,
    code: str,
    text: str,
    location: str,
) -> ev.TrackingScanned:
    """One carrier scan: its own code, and its text led by the status in words when the mapping
    names the status (``In transit (Paketzentrum)``), so anxin reads it the same for a carrier
    it has no table of."""
    return ev.TrackingScanned(
        id=event_id(base, status or code or "scan", at.strftime("%Y%m%dT%H%M%S%z")),
        occurred_at=at,
        source=source,
        payload=ev.TrackingScanPayload(
            carrier=carrier[:64],
            tracking_number=tracking,
            code=(code or status)[:MAX_SHORT],
            text=(f"{WORDS[status]} ({text})" if status and text else WORDS.get(status, text))[
                :MAX_TEXT
            ],
            location=location[:MAX_SHORT],
        ),
    )


def cancelled(prefix: str, source: str, at: dt.datetime, order_id: str) -> ev.OrderCancelled:
    return ev.OrderCancelled(
        id=event_id(prefix, "order", order_id, "cancelled"),
        occurred_at=at,
        source=source,
        payload=ev.OrderCancelledPayload(
            order_id=order_id, by="platform", reason=f"{source} export: cancelled"[:MAX_SHORT]
        ),
    )


def review(
    prefix: str, source: str, record: MappingType[str, Any], merchant: str, review_id: str
) -> ev.ReviewPosted:
    order_id = record["order_id"]
    text = "\n".join(str(t) for t in (record.get("title"), record.get("text")) if t)
    return ev.ReviewPosted(
        id=event_id(prefix, "review", review_id, order_id),
        occurred_at=record["posted_at"],
        source=source,
        payload=ev.ReviewPayload(
            review_id=review_id[:MAX_ID],
            order_id=order_id,
            merchant_id=str(record.get("merchant_id") or merchant),
            stars=int(record["stars"]),
            text=text[:MAX_TEXT],
        ),
    )


def aftersale(prefix: str, source: str, record: MappingType[str, Any], currency: str) -> ev.Event:
    """One step of an after-sale case; a field the step needs and the row lacks is a
    ``ValueError`` naming it."""
    step, case, order_id = record["event"], record["aftersale_id"], record["order_id"]
    common = {"aftersale_id": case, "order_id": order_id}
    envelope = {
        "id": event_id(prefix, "aftersale", case, step.split(".")[1], record["at"].strftime(
            "%Y%m%dT%H%M%S")),
        "occurred_at": record["at"],
        "source": source,
    }  # fmt: skip

    def need(name: str) -> Any:
        if record.get(name) in (None, ""):
            raise ValueError(f"{step} needs `{name}`")
        return record[name]

    if step == "aftersale.requested":
        return ev.AfterSaleRequested(**envelope, payload=ev.AfterSaleRequestedPayload(
            **common, kind=need("kind"), reason=str(need("reason"))[:MAX_SHORT],
            amount=ev.Money(need("amount"), currency), text=str(record.get("text") or ""),
        ))  # fmt: skip
    if step == "aftersale.responded":
        by: Any = record.get("by") or "merchant"
        if by not in ("merchant", "system"):
            raise ValueError(f"{step}: `by` is {by!r}; a response is by merchant or system")
        return ev.AfterSaleResponded(**envelope, payload=ev.AfterSaleRespondedPayload(
            **common, by=by, decision=need("decision"), text=str(record.get("text") or ""),
        ))  # fmt: skip
    if step == "aftersale.escalated":
        by = record.get("by") or "consumer"
        if by not in ("consumer", "merchant"):
            raise ValueError(f"{step}: `by` is {by!r}; escalated by consumer or merchant")
        return ev.AfterSaleEscalated(**envelope, payload=ev.AfterSaleEscalatedPayload(
            **common, by=by, reason=str(record.get("reason") or "")[:MAX_SHORT],
        ))  # fmt: skip
    refund = record.get("refund")
    return ev.AfterSaleResolved(**envelope, payload=ev.AfterSaleResolvedPayload(
        **common, outcome=need("outcome"), decided_by=record.get("decided_by") or "platform",
        refund=ev.Money(refund, currency) if refund is not None else None,
    ))  # fmt: skip
