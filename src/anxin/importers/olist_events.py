"""Olist records (already parsed and checked) → anxin contract events.

Pure functions: event ids derive from Olist ids and content from the records alone, so the same
export always yields byte-identical events and a re-import is absorbed as duplicates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from anxin.contract import events as ev
from anxin.importers.csvread import Row, end_of_local_day

SOURCE = "olist"
CARRIER = "olist"
CURRENCY = "BRL"
MAX_TEXT = 8192  # the contract's Text limit
MAX_SHORT = 256  # the contract's ShortText limit
MAX_ID = 128  # the contract's Id limit

# The sellers file carries no dates. A fixed registration instant (before the dataset's first
# order, 2016-09-04) keeps each seller's event identical across overlapping exports, so importing
# a sample and then the full dataset into one store never conflicts.
SELLER_REGISTERED_AT = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)


@dataclass
class Item:
    row: Row
    number: int
    product_id: str
    seller_id: str
    ship_by: dt.datetime | None
    price: int  # centavos
    freight: int  # centavos


@dataclass
class Review:
    row: Row
    review_id: str
    stars: int
    at: dt.datetime
    text: str


@dataclass
class Order:
    row: Row
    order_id: str
    customer_id: str
    status: str
    purchased: dt.datetime
    approved: dt.datetime | None
    carrier: dt.datetime | None
    delivered: dt.datetime | None
    estimated: dt.datetime | None
    items: list[Item] = field(default_factory=list)
    payments: list[tuple[Row, int]] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)

    @property
    def merchant_id(self) -> str:
        return self.items[0].seller_id  # several sellers: the first item's (one anxin order)

    @property
    def total(self) -> int:
        return sum(i.price + i.freight for i in self.items)


def seller_registered(seller_id: str, state: str | None, city: str | None) -> ev.MerchantRegistered:
    region = None
    if state is not None or city is not None:
        region = ev.Region(
            country="BR", province=(state or "")[:MAX_SHORT], city=(city or "")[:MAX_SHORT]
        )
    return ev.MerchantRegistered(
        id=f"olist-seller-{seller_id}",
        occurred_at=SELLER_REGISTERED_AT,
        source=SOURCE,
        payload=ev.MerchantPayload(merchant_id=seller_id, region=region),
    )


def promises(order: Order, zone: ZoneInfo) -> list[ev.Promise]:
    """One ship-by per distinct item limit (the shortest binds) and one deliver-by.

    The estimated delivery column holds dates at midnight; a date-only promise is kept through
    the end of that local day, so the deliver-by is 23:59:59 local.
    """
    made: list[ev.Promise] = [
        ev.Promise(kind="ship", source="marketplace_export", by=by)
        for by in sorted({i.ship_by for i in order.items if i.ship_by is not None})
    ]
    if order.estimated is not None:
        by = end_of_local_day(order.estimated, zone)
        made.append(ev.Promise(kind="deliver", source="marketplace_export", by=by))
    return made


def order_placed(
    order: Order,
    consumer_id: str,
    destination: ev.Region | None,
    items: list[ev.Item],
    zone: ZoneInfo,
) -> ev.OrderPlaced:
    return ev.OrderPlaced(
        id=f"olist-order-{order.order_id}-placed",
        occurred_at=order.purchased,
        source=SOURCE,
        payload=ev.OrderPlacedPayload(
            order_id=order.order_id,
            merchant_id=order.merchant_id,
            consumer_id=consumer_id,
            items=items,
            amount=ev.Money(order.total, CURRENCY),
            promises=promises(order, zone),
            destination=destination,
        ),
    )


def order_paid(order: Order, approved: dt.datetime) -> ev.OrderPaid:
    # No payment rows (an export without the payments file): the order total was what was paid.
    paid = sum(v for _, v in order.payments) if order.payments else order.total
    return ev.OrderPaid(
        id=f"olist-order-{order.order_id}-paid",
        occurred_at=approved,
        source=SOURCE,
        payload=ev.OrderPaidPayload(order_id=order.order_id, amount_paid=ev.Money(paid, CURRENCY)),
    )


def parcel_events(order: Order) -> list[ev.Event]:
    """The parcel (carrier ``olist``, tracking number = order id) and its two scans."""
    oid = order.order_id
    left = order.carrier or order.delivered  # delivered without a hand-over date still shipped
    if left is None:
        return []
    events: list[ev.Event] = [
        ev.ShipmentCreated(
            id=f"olist-order-{oid}-shipped",
            occurred_at=left,
            source=SOURCE,
            payload=ev.ShipmentCreatedPayload(
                order_id=oid, shipment_id=oid, carrier=CARRIER, tracking_number=oid
            ),
        )
    ]
    scans = [
        ("picked_up", order.carrier, "order_delivered_carrier_date"),
        ("delivered", order.delivered, "order_delivered_customer_date"),
    ]
    for code, at, text in scans:
        if at is not None:
            events.append(
                ev.TrackingScanned(
                    id=f"olist-order-{oid}-{code.replace('_', '-')}",
                    occurred_at=at,
                    source=SOURCE,
                    payload=ev.TrackingScanPayload(
                        carrier=CARRIER, tracking_number=oid, code=code, text=text
                    ),
                )
            )
    return events


def order_cancelled(order: Order) -> ev.OrderCancelled:
    # Olist records no cancellation time: the last thing known to have happened stands in.
    known = (order.purchased, order.approved, order.carrier, order.delivered)
    return ev.OrderCancelled(
        id=f"olist-order-{order.order_id}-cancelled",
        occurred_at=max(t for t in known if t is not None),
        source=SOURCE,
        payload=ev.OrderCancelledPayload(
            order_id=order.order_id, by="platform", reason="olist order_status canceled"
        ),
    )


def derived_review_id(row: Row, seen: Counter[str]) -> str:
    """A review id for a reviews file without one (a BI tool dropped the column): a digest of
    what the row says, numbered among the identical rows met so far (``seen``), so every row
    stays a review and the same file always gets the same ids."""
    facts = [
        row.get(c)
        for c in (
            "order_id",
            "review_score",
            "review_creation_date",
            "review_answer_timestamp",
            "review_comment_title",
            "review_comment_message",
        )
    ]
    digest = hashlib.blake2b("\x1f".join(facts).encode(), digest_size=12).hexdigest()
    seen[digest] += 1
    return f"derived-{digest}-{seen[digest]}"


def review_posted(order: Order, review: Review) -> ev.ReviewPosted:
    # Olist reuses review ids across orders: the order id makes the event id unique.
    event_id = f"olist-review-{review.review_id}-{order.order_id}"
    if len(event_id) > MAX_ID:  # two long ids: a digest keeps it unique and deterministic
        digest = hashlib.blake2b(event_id.encode(), digest_size=16).hexdigest()
        event_id = f"olist-review-{digest}"
    return ev.ReviewPosted(
        id=event_id,
        occurred_at=review.at,
        source=SOURCE,
        payload=ev.ReviewPayload(
            review_id=review.review_id,
            order_id=order.order_id,
            merchant_id=order.merchant_id,
            stars=review.stars,
            text=review.text[:MAX_TEXT],
        ),
    )
