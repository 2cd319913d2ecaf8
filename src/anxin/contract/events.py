"""The event contract: every fact a marketplace streams into anxin.

One msgspec Struct per event type, tagged by ``type``. JSON Lines files and the HTTP batch body
carry exactly these objects; ``anxin.contract.schema`` publishes them as JSON Schema.

Field conventions:
- money is ``{"amount": <int minor units >= 0>, "currency": "<ISO 4217>"}``;
- every timestamp carries a UTC offset (naive timestamps are rejected);
- the envelope is ``id, type, occurred_at, source, partition_key?, payload``.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import msgspec

from anxin.domain.currencies import MINOR_UNITS

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
Text = Annotated[str, msgspec.Meta(max_length=8192)]
ShortText = Annotated[str, msgspec.Meta(max_length=256)]
Aware = Annotated[dt.datetime, msgspec.Meta(tz=True)]
# Envelope timestamps are range-checked by the engine on the integer form it computes anyway.
Stars = Annotated[int, msgspec.Meta(ge=1, le=5)]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
Hours = Annotated[int, msgspec.Meta(ge=0, le=24 * 400)]

# Facts dated outside this range are typos or unit mistakes (epoch seconds read as ms, year 0001).
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


class AbsurdDate(ValueError):
    """A timestamp outside [2000-01-01, 2100-01-01)."""


def check_dates(**values: dt.datetime | None) -> None:
    for name, value in values.items():
        if value is not None and not (EARLIEST <= value < LATEST):
            raise AbsurdDate(f"absurd date in `{name}`: {value.isoformat()} is outside 2000..2099")


class Contract(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    """Base of every payload part: unknown fields are errors, not silently dropped."""


# A closed set decoded in C: an unknown code fails as an invalid enum value (no Python hook).
if TYPE_CHECKING:
    CurrencyCode = str
else:
    CurrencyCode = Literal[tuple(sorted(MINOR_UNITS))]


class Money(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    amount: Annotated[int, msgspec.Meta(ge=0, le=10**15, description="integer minor units")]
    currency: Annotated[CurrencyCode, msgspec.Meta(description="ISO 4217 code")]


class Region(Contract):
    """Where a parcel goes (or comes from): country plus province-level division."""

    # Required: msgspec omits a default string only when it is the very same object, so a
    # defaulted country would make equal regions encode (and hash) differently.
    country: Annotated[str, msgspec.Meta(pattern="^[A-Z]{2}$", description="ISO 3166 alpha-2")]
    province: ShortText = ""
    city: ShortText = ""
    postal_code: ShortText = ""
    # Street addresses stay with the marketplace; an opaque hash of the normalised address
    # lets anxin see that several accounts ship to one door without ever reading it.
    address_id: Annotated[
        str,
        msgspec.Meta(
            max_length=128,
            description="opaque hash of the normalised delivery address: equal ids, same door",
        ),
    ] = ""


PromiseSource = Literal[
    "listing",
    "cart",
    "live_stream",
    "video",
    "chat",
    "negotiation",
    "appointment",
    "presale",
    "platform",
    "marketplace_export",
]


class Promise(Contract):
    """One promise shown to the consumer. The shortest (consumer-favourable) one binds.

    Exactly one of ``within_hours`` (relative to payment), ``by`` (an instant) or ``named``
    (a platform ship-by type such as next-day, resolved with the policy pack's calendar).
    """

    kind: Literal["ship", "deliver"]
    source: PromiseSource
    within_hours: Hours | None = None
    by: Aware | None = None
    named: Literal["same_day", "next_day"] | None = None
    made_at: Aware | None = None

    def __post_init__(self) -> None:
        given = [x for x in (self.within_hours, self.by, self.named) if x is not None]
        if len(given) != 1:
            raise ValueError("a promise needs exactly one of `within_hours`, `by`, `named`")
        check_dates(by=self.by, made_at=self.made_at)


class Item(Contract):
    sku: Id
    quantity: Quantity
    unit_price: Money
    listing_id: Id | None = None
    category: ShortText = ""
    title: Text = ""


# ---------------------------------------------------------------- payloads


class MerchantPayload(Contract):
    merchant_id: Id
    name: ShortText = ""
    industry: ShortText = ""
    shop_type: Literal["flagship", "specialty", "franchise", "personal", "other"] = "other"
    region: Region | None = None
    deposit: Money | None = None
    settled_at: Aware | None = None


class ListingPayload(Contract):
    listing_id: Id
    merchant_id: Id
    title: Text
    category: ShortText = ""
    price: Money | None = None
    promises: list[Promise] = []
    presale: bool = False
    attributes: dict[ShortText, ShortText] = {}


class ContentPayload(Contract):
    content_id: Id
    merchant_id: Id
    kind: Literal["live_stream", "video", "article", "image"]
    listing_ids: list[Id] = []
    text: Text = ""
    promises: list[Promise] = []
    # The creator (达人) who made it; absent: the merchant's own content.
    creator_id: Id | None = None


class OrderPlacedPayload(Contract):
    order_id: Id
    merchant_id: Id
    consumer_id: Id
    items: Annotated[list[Item], msgspec.Meta(min_length=1, max_length=500)]
    amount: Money
    promises: list[Promise] = []
    presale_ship_by: Aware | None = None
    destination: Region | None = None
    channel: Literal["shelf", "live_stream", "video", "search", "other"] = "other"
    # The selling content (live stream, video) the order came from: its post-sale outcomes
    # reach the content and its creator.
    content_id: Id | None = None
    # When the buyer's account was opened: account age is a fact of the order, as the
    # marketplace knew it when the order was placed.
    consumer_since: Annotated[
        Aware | None, msgspec.Meta(description="when the consumer's account was opened")
    ] = None

    def __post_init__(self) -> None:
        if self.presale_ship_by is not None or self.consumer_since is not None:
            check_dates(presale_ship_by=self.presale_ship_by, consumer_since=self.consumer_since)


class OrderPaidPayload(Contract):
    order_id: Id
    amount_paid: Money
    promises: list[Promise] = []


class OrderCancelledPayload(Contract):
    order_id: Id
    by: Literal["consumer", "merchant", "platform", "system"]
    reason: ShortText = ""


class OrderAddressChangedPayload(Contract):
    """The consumer (or the platform for them) changed where the order goes."""

    order_id: Id
    destination: Region
    by: Literal["consumer", "merchant", "platform"] = "consumer"


class OrderExemptedPayload(Contract):
    """The platform took the order out of the guarantees (platform-rules.md §2.2 exemptions)."""

    order_id: Id
    reason: Literal[
        "consumer_abuse", "non_consumer_purchase", "platform_stop_ship", "force_majeure"
    ]
    text: Text = ""


class ShipmentCreatedPayload(Contract):
    order_id: Id
    shipment_id: Id
    carrier: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    tracking_number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    origin: Region | None = None
    skus: list[Id] = []


class TrackingScanPayload(Contract):
    """A raw carrier scan. It names its parcel, not its order: anxin resolves the order."""

    carrier: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    tracking_number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    code: ShortText = ""
    text: Text = ""
    location: ShortText = ""
    # The recipient on the carrier's waybill, where the carrier reports it (fake-tracking sign:
    # a consignee other than the order's).
    consignee: Region | None = None


AfterSaleKind = Literal["refund_only", "return_refund", "exchange"]


class AfterSaleRequestedPayload(Contract):
    aftersale_id: Id
    order_id: Id
    kind: AfterSaleKind
    reason: ShortText
    amount: Money
    skus: list[Id] = []
    text: Text = ""
    # For a damage claim: the share of the items that arrived bad, in whole percent (§4.3 tiers).
    damaged_percent: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None


class AfterSaleRespondedPayload(Contract):
    aftersale_id: Id
    order_id: Id
    by: Literal["merchant", "system"]
    decision: Literal["agree", "refuse", "agree_return", "propose"]
    text: Text = ""


class AfterSaleEscalatedPayload(Contract):
    aftersale_id: Id
    order_id: Id
    by: Literal["consumer", "merchant"]
    reason: ShortText = ""


class AfterSaleResolvedPayload(Contract):
    aftersale_id: Id
    order_id: Id
    outcome: Literal["refunded", "refused", "exchanged", "withdrawn", "closed"]
    decided_by: Literal["merchant", "platform", "system", "consumer"]
    refund: Money | None = None
    # Who bears a refund the platform decided in arbitration; absent: the merchant.
    payer: Literal["merchant", "carrier", "platform"] | None = None


class ReturnShippedPayload(Contract):
    aftersale_id: Id
    order_id: Id
    carrier: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    tracking_number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    # What the consumer paid to send it back, and the parcel's class: return-freight insurance
    # refunds the fee up to the class's cap (platform-rules.md §4.2).
    freight: Money | None = None
    parcel_class: Literal["small", "upgraded", "large"] = "small"


class ReturnReceivedPayload(Contract):
    aftersale_id: Id
    order_id: Id
    condition: Literal["ok", "damaged", "empty", "wrong_item", "missing_parts"] = "ok"


class ChatMessagePayload(Contract):
    conversation_id: Id
    message_id: Id
    merchant_id: Id
    consumer_id: Id
    sender: Literal["consumer", "agent", "bot", "system"]
    order_id: Id | None = None
    text: Text = ""


class ChatRatedPayload(Contract):
    conversation_id: Id
    merchant_id: Id
    consumer_id: Id
    stars: Stars
    order_id: Id | None = None


class ReviewPayload(Contract):
    review_id: Id
    order_id: Id
    merchant_id: Id
    stars: Stars
    listing_id: Id | None = None
    text: Text = ""


class ComplaintPayload(Contract):
    complaint_id: Id
    merchant_id: Id
    consumer_id: Id
    topic: ShortText
    order_id: Id | None = None
    text: Text = ""


# ---------------------------------------------------------------- envelopes


class Event(
    msgspec.Struct,
    tag_field="type",
    forbid_unknown_fields=True,
    omit_defaults=True,
    kw_only=True,
    gc=False,  # events hold no reference cycles: skipping GC tracking speeds up ingest
):
    """Envelope shared by every event.

    ``partition_key`` orders processing: events with the same key are applied in arrival order.
    When absent it defaults to the event's natural key (``order:<id>`` for order facts).
    """

    id: Id
    occurred_at: Aware
    source: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    partition_key: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None

    scope: ClassVar[str] = "order"

    @property
    def type(self) -> str:
        return _TAGS[type(self)]

    def natural_key(self) -> str:
        payload = self.payload  # type: ignore[attr-defined]
        order_id = getattr(payload, "order_id", None)
        if self.scope == "order" and order_id:
            return f"order:{order_id}"
        if self.scope == "parcel":
            return f"parcel:{payload.carrier}:{payload.tracking_number}"
        if self.scope == "chat":
            return f"chat:{payload.conversation_id}"
        return f"merchant:{payload.merchant_id}"

    def key(self) -> str:
        return self.partition_key or self.natural_key()


class MerchantRegistered(Event, tag="merchant.registered"):
    payload: MerchantPayload
    scope: ClassVar[str] = "merchant"


class MerchantUpdated(Event, tag="merchant.updated"):
    payload: MerchantPayload
    scope: ClassVar[str] = "merchant"


class ListingSubmitted(Event, tag="listing.submitted"):
    payload: ListingPayload
    scope: ClassVar[str] = "merchant"


class ListingUpdated(Event, tag="listing.updated"):
    payload: ListingPayload
    scope: ClassVar[str] = "merchant"


class ContentPublished(Event, tag="content.published"):
    payload: ContentPayload
    scope: ClassVar[str] = "merchant"


class OrderPlaced(Event, tag="order.placed"):
    payload: OrderPlacedPayload


class OrderPaid(Event, tag="order.paid"):
    payload: OrderPaidPayload


class OrderCancelled(Event, tag="order.cancelled"):
    payload: OrderCancelledPayload


class OrderAddressChanged(Event, tag="order.address_changed"):
    payload: OrderAddressChangedPayload


class OrderExempted(Event, tag="order.exempted"):
    payload: OrderExemptedPayload


class ShipmentCreated(Event, tag="shipment.created"):
    payload: ShipmentCreatedPayload


class TrackingScanned(Event, tag="tracking.scanned"):
    payload: TrackingScanPayload
    scope: ClassVar[str] = "parcel"


class AfterSaleRequested(Event, tag="aftersale.requested"):
    payload: AfterSaleRequestedPayload


class AfterSaleResponded(Event, tag="aftersale.responded"):
    payload: AfterSaleRespondedPayload


class AfterSaleEscalated(Event, tag="aftersale.escalated"):
    payload: AfterSaleEscalatedPayload


class AfterSaleResolved(Event, tag="aftersale.resolved"):
    payload: AfterSaleResolvedPayload


class ReturnShipped(Event, tag="return.shipped"):
    payload: ReturnShippedPayload


class ReturnReceived(Event, tag="return.received"):
    payload: ReturnReceivedPayload


class ChatMessage(Event, tag="chat.message"):
    payload: ChatMessagePayload
    scope: ClassVar[str] = "chat"


class ChatRated(Event, tag="chat.rated"):
    payload: ChatRatedPayload
    scope: ClassVar[str] = "chat"


class ReviewPosted(Event, tag="review.posted"):
    payload: ReviewPayload


class ComplaintFiled(Event, tag="complaint.filed"):
    payload: ComplaintPayload

    def natural_key(self) -> str:
        if self.payload.order_id:
            return f"order:{self.payload.order_id}"
        return f"merchant:{self.payload.merchant_id}"


AnyEvent = (
    MerchantRegistered
    | MerchantUpdated
    | ListingSubmitted
    | ListingUpdated
    | ContentPublished
    | OrderPlaced
    | OrderPaid
    | OrderCancelled
    | OrderAddressChanged
    | OrderExempted
    | ShipmentCreated
    | TrackingScanned
    | AfterSaleRequested
    | AfterSaleResponded
    | AfterSaleEscalated
    | AfterSaleResolved
    | ReturnShipped
    | ReturnReceived
    | ChatMessage
    | ChatRated
    | ReviewPosted
    | ComplaintFiled
)

EVENT_TYPES: tuple[type[Event], ...] = typing.get_args(AnyEvent)
_TAGS: dict[type[Event], str] = {t: str(t.__struct_config__.tag) for t in EVENT_TYPES}
TYPE_NAMES: frozenset[str] = frozenset(_TAGS.values())
