"""Ground truth: what really happened, written to its own JSON Lines stream (never mixed into
the events). Each record is tagged by ``kind``; absent fields are defaults (false / none).

- ``merchant``: the latent behaviour drawn for a merchant;
- ``consumer``: an abuser (its kind, ring and when it turned abusive) or a heavy honest
  returner;
- ``listing``: every listing, ``bad`` with ``why`` (misleading / inferior / prohibited);
- ``order``: every paid order: its binding due, when it was really picked up, late or not;
- ``shipment``: a fake or fraudulent shipment and why;
- ``parcel``: every parcel's lane, transit and incidents;
- ``aftersale``: every after-sale request, abusive or not (and how), the amount asked and
  refunded, refused unjustly or not;
- ``measure``: a governance measure the simulator applied;
- ``violator``: a merchant planted to break one enforcement rule (``violation``), with the
  traits planted (``anxin.sim.violators``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec


class Truth(msgspec.Struct, tag_field="kind", omit_defaults=True, kw_only=True):
    pass


class MerchantTruth(Truth, tag="merchant"):
    merchant_id: str
    industry: str
    shop_type: str
    province: str
    country: str
    carriers: list[str]
    behaviour: dict[str, float | int]


AbuseKind = Literal["", "wardrobing", "empty_box", "wrong_item", "not_received_signed"]
AbuserKind = Literal["", "heavy_returner", "serial_returner", "empty_box", "not_received", "ring"]


class ConsumerTruth(Truth, tag="consumer"):
    """A consumer who is not a plain honest buyer: an abuser, or a heavy but honest returner
    (``abuser`` false) kept so that "returns often" can be scored as not abuse."""

    consumer_id: str
    abuser: bool = False
    abuser_kind: AbuserKind = ""
    abusive_from: dt.datetime | None = None  # clean before this instant (late abusers)
    ring: int | None = None  # accounts of one ring share the number (and one address)


class ListingTruth(Truth, tag="listing"):
    listing_id: str
    merchant_id: str
    bad: bool = False
    why: str = ""


class OrderTruth(Truth, tag="order"):
    order_id: str
    merchant_id: str
    promised_due: dt.datetime
    promise_source: str
    shipped_at: dt.datetime | None = None  # the first real pickup scan
    shipped_late: bool | None = None  # None: never really shipped
    out_of_stock: bool = False
    not_delivered: bool = False  # paid, never shipped nor cancelled by the merchant
    presale: bool = False
    cancelled: bool = False


ShipmentWhy = Literal[
    "no_pickup", "late_pickup", "pre_payment_scan", "reused_number", "empty_parcel"
]


class ShipmentTruth(Truth, tag="shipment"):
    order_id: str
    shipment_id: str
    carrier: str
    tracking_number: str
    why: ShipmentWhy
    fake: bool = False  # false shipment or fake tracking
    fraud: bool = False  # an empty parcel


class ParcelTruth(Truth, tag="parcel"):
    carrier: str
    tracking_number: str
    order_id: str
    lane: str
    transit_hours: float | None = None  # pickup to signed
    stalled_hours: int = 0
    lost: bool = False
    damaged: bool = False
    returned: bool = False
    failed_attempts: int = 0


class AfterSaleTruth(Truth, tag="aftersale"):
    aftersale_id: str
    order_id: str
    reason: str
    abusive: bool = False
    abuse_kind: AbuseKind = ""
    amount: int = 0  # refund asked, minor units (the order's currency)
    refunded: int = 0  # refund the flow ended with, minor units
    unjustified_refusal: bool = False


class MeasureTruth(Truth, tag="measure"):
    merchant_id: str
    day: dt.date
    measure: str
    until: dt.date
    amount: int = 0
    reason: str = ""


class ViolatorTruth(Truth, tag="violator"):
    merchant_id: str
    violation: str  # the enforcement violation type (anxin.sim.mix.VIOLATION_TYPES)
    behaviour: dict[str, float | int]  # the planted traits (size: relative order volume)


class HelpTruth(Truth, tag="help"):
    """A logistics help request the consumer meant to make (a chat or a complaint), and whether
    they made it: a consumer reached first by the platform may not write (``asked`` false)."""

    order_id: str
    merchant_id: str
    channel: str  # chat | complaint
    at: dt.datetime  # when they would write
    asked: bool = True


AnyTruth = (
    MerchantTruth
    | ConsumerTruth
    | ListingTruth
    | OrderTruth
    | ShipmentTruth
    | ParcelTruth
    | AfterSaleTruth
    | MeasureTruth
    | ViolatorTruth
    | HelpTruth
)
