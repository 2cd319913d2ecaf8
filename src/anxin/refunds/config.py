"""The pack section ``rules.instant_refund``: when a refund may leave before anyone checks.

Shape only; every number lives in the pack with its platform-rules.md citation (§4.1 Douyin's
refund before shipment, §4.5 Taobao's consumer exclusions, §4.6 Amazon's refund at first scan,
§4.7 TikTok's speedy refund) or is marked anxin's choice. Amounts are major units of the pack's
currency, like every other section.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from anxin.domain.money import Money

RULE_ID = "instant_refund"

Number = Annotated[str, msgspec.Meta(pattern=r"^\d+(\.\d+)?$")] | int | float
Share = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]


class BeforeShipment(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Refund-only before a real tracking number exists (Douyin 未发货极速退款, §4.1)."""

    enabled: bool = True
    # Paid amount limit, inclusive (实付 ≤ limit). ``category_limits`` overrides it per category
    # (the 2026 revision: "limits vary by category"); null means no general limit.
    max_amount: Number | None = None
    category_limits: dict[str, Number] = {}
    # Items that never qualify (virtual, custom-made, blind box).
    excluded_categories: list[str] = []

    def limit(self, category: str, currency: str) -> Money | None:
        raw = self.category_limits.get(category, self.max_amount)
        return None if raw is None else Money.of_major(Decimal(str(raw)), currency)


class ConsumerExclusions(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Consumers never refunded instantly (Taobao: refund rate, complaints in 90 days, §4.5)."""

    window_days: Annotated[int, msgspec.Meta(ge=1, le=366)] = 90
    # Requests ÷ orders in the window strictly above this excludes (needs ``min_orders``).
    max_refund_rate: Share = 1.0
    min_orders: Annotated[int, msgspec.Meta(ge=0)] = 0
    max_complaints: Annotated[int, msgspec.Meta(ge=0)] | None = None
    # Any abuse finding visible in the stream (empty box, wrong item, refused by the platform).
    max_abuse_findings: Annotated[int, msgspec.Meta(ge=0)] | None = 0


class Thresholds(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Cut points on the model's abuse score in [0, 1] (strictly below ``approve`` approves)."""

    approve: Share  # below: approve now (refund-only after shipment, returns at first scan)
    on_request: Share  # below: a return is refunded on the request itself (the most trusted)
    review: Share  # from here: manual review (between approve and here: standard flow)
    decline: Share  # from here: decline the instant path (the request follows the merchant)

    def check(self) -> None:
        if not self.on_request <= self.approve <= self.review <= self.decline:
            raise ValueError("thresholds must satisfy on_request <= approve <= review <= decline")


class Recovery(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """When an instantly refunded return never arrives, arrives empty or is the wrong item."""

    # charge_back: the consumer owes the refund back (Amazon advanced refunds, §4.6);
    # absorb: the platform bears it (TikTok's refund without return, §4.7).
    payer: Literal["consumer", "platform"]
    # Either way the merchant is made whole from the platform fund (Amazon SAFE-T, §4.6).
    merchant_made_whole: bool = True
    # How long after the refund the return parcel may take to arrive before it counts as lost.
    return_window_days: Annotated[int, msgspec.Meta(ge=1, le=366)]


class InstantRefundConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The pack section ``rules.instant_refund``."""

    before_shipment: BeforeShipment
    # After shipment, no instant refund above this amount (null: no limit).
    max_amount: Number | None = None
    consumer_exclusions: ConsumerExclusions = ConsumerExclusions()
    # Returns: refund at the return parcel's first carrier scan (Amazon RFS, §4.6; TikTok
    # speedy refund, §4.7) and, for the most trusted, on the request.
    returns_at_first_scan: bool = True
    returns_on_request: bool = True
    # A "not received" claim on a parcel the carrier scanned as delivered goes to a person.
    review_not_received_after_delivery: bool = True
    thresholds: Thresholds
    recovery: Recovery

    def check(self, currency: str) -> None:
        self.thresholds.check()
        # The exclusions read the model's history features, counted over a fixed window: a pack
        # naming another window would be silently ignored, so it is refused instead.
        from anxin.refunds.features import WINDOW_DAYS

        if self.consumer_exclusions.window_days != WINDOW_DAYS:
            raise ValueError(
                f"consumer_exclusions.window_days: the consumer history is counted over"
                f" {WINDOW_DAYS} days; a pack cannot change that yet"
            )
        bs = self.before_shipment
        for raw in [bs.max_amount, self.max_amount, *bs.category_limits.values()]:
            if raw is not None:
                Money.of_major(Decimal(str(raw)), currency)  # refuses too many decimals

    def after_shipment_limit(self, currency: str) -> Money | None:
        raw = self.max_amount
        return None if raw is None else Money.of_major(Decimal(str(raw)), currency)


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: InstantRefundConfig}
