"""Ground truth: what really happened, written to its own JSON Lines stream (never mixed into
the events). Each record is tagged by ``kind``; absent fields are defaults (false / none).

- ``merchant``: the latent behaviour drawn for a merchant;
- ``consumer``: an abuser;
- ``listing``: every listing, ``bad`` with ``why`` (misleading / inferior / prohibited);
- ``order``: every paid order: its binding due, when it was really picked up, late or not;
- ``shipment``: a fake or fraudulent shipment and why;
- ``parcel``: every parcel's lane, transit and incidents;
- ``aftersale``: every after-sale request, abusive or not, refused unjustly or not;
- ``measure``: a governance measure the simulator applied.
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


class ConsumerTruth(Truth, tag="consumer"):
    consumer_id: str
    abuser: bool = False


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
    unjustified_refusal: bool = False


class MeasureTruth(Truth, tag="measure"):
    merchant_id: str
    day: dt.date
    measure: str
    until: dt.date
    amount: int = 0
    reason: str = ""


AnyTruth = (
    MerchantTruth
    | ConsumerTruth
    | ListingTruth
    | OrderTruth
    | ShipmentTruth
    | ParcelTruth
    | AfterSaleTruth
    | MeasureTruth
)
