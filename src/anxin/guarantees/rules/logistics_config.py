"""The logistics rule's pack section: timers, payout families, caps and lane classes.

Each timer is an anchor fact and a threshold (``hours`` or ``by_region``) that a satisfying
fact must beat; timers share payout families, and families may share a cap.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from anxin.domain.money import Money
from anxin.domain.wording import Text
from anxin.guarantees.rules.late_shipment import PayoutSpec

Anchor = Literal["upload", "pickup", "last_scan"]
Until = Literal["pickup", "dispatch", "next_scan"]


# Timers in words, for the guarantee hall: what meets each (a Chinese verb, an English
# participle) and what starts it.
UNTIL_WORDS: dict[str, Text] = {
    "pickup": Text("揽收", "picked up"),
    "dispatch": Text("到达分拨中心", "scanned at a sorting hub"),
    "next_scan": Text("更新物流", "updated"),
}
ANCHOR_WORDS: dict[str, Text] = {
    "upload": Text("上传运单号", "the tracking upload"),
    "pickup": Text("揽收", "pickup"),
    "last_scan": Text("到达首个分拨中心", "the first sorting-hub scan"),
}


def timer_words(timer_after: str, timer_until: str, span: Text) -> Text:
    """The promise a timer makes: "picked up within 24 hours of the tracking upload" (it follows
    "Parcel …:" in a title)."""
    if timer_after == "last_scan":
        return Text(
            f"运输途中每个节点停留不超过{span.zh}",
            f"never stuck in transit for more than {span.en}",
        )
    until, after = UNTIL_WORDS[timer_until], ANCHOR_WORDS[timer_after]
    return Text(f"{after.zh}后{span.zh}内{until.zh}", f"{until.en} within {span.en} of {after.en}")


class RegionHours(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Thresholds by lane class (Douyin 中转超时: 48 / 72 / 120 h)."""

    local: int
    cross_province: int
    remote: int


class ClassPayout(PayoutSpec, frozen=True):
    """A payout for orders whose promised ship time is at most ``up_to_hours`` (null: any)."""

    up_to_hours: int | None = None


class Timer(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: str
    after: Anchor
    until: Until
    family: str
    # The task opened when the clock runs out: who must act, and how many hours they have.
    # Policy, so every timer in a pack states both (no code default).
    task_for: Literal["merchant", "carrier"]
    task_hours: Annotated[int, msgspec.Meta(ge=1)]
    hours: int | None = None
    by_region: RegionHours | None = None
    auto_refund: bool = False  # e.g. Douyin: no pickup 48 h after upload → refund auto-approved
    # Who pays when the clock runs out during one of the pack's promotions (Douyin: guaranteed
    # carriers absorb dispatch and transit timeouts in big promotions); null: the family's funder.
    promotion_funded_by: Literal["merchant_deposit", "carrier", "platform_fund"] | None = None


class Family(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    payouts: list[ClassPayout]
    funded_by: Literal["merchant_deposit", "carrier", "platform_fund"] = "merchant_deposit"


Sign = Literal[
    "scan_before_payment",  # the first scan is earlier than the payment
    "repeated_nodes",  # the same node (code, text, place) repeated in a row
    "reused_number",  # the number was already used for another consumer's address
    "consignee_mismatch",  # the waybill's consignee is none of the order's addresses
    "cloned_trace",  # the trace copies another order's parcel, scan for scan, to delivery
    "unauthorised_recall",  # the merchant recalled the parcel without the consumer asking
]


class FakeTracking(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Fake-tracking signs (Douyin / Tmall 轨迹异常): which are judged, paid as ``family``."""

    family: str
    signs: list[Sign]
    repeated_nodes: int  # this many identical nodes in a row


class Cap(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Families that together pay at most ``max_percent`` of the amount paid and ``max``."""

    families: list[str]
    max_percent: int | float | None = None
    max: int | float | None = None


class LogisticsConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    timers: list[Timer]
    families: dict[str, Family]
    fake_tracking: FakeTracking | None = None
    clusters: list[list[str]] = []  # provinces that count as one region (江浙沪皖, 京津冀)
    remote: list[str] = []
    caps: list[Cap] = []
    paid_as: Literal["coupon", "cash", "red_packet"] = "coupon"

    def check(self, currency: str) -> None:
        ids = [t.id for t in self.timers]
        if len(set(ids)) != len(ids):
            raise ValueError("timer ids must be unique")
        for t in self.timers:
            if (t.hours is None) == (t.by_region is None):
                raise ValueError(f"timer {t.id}: give exactly one of `hours`, `by_region`")
            if t.family not in self.families:
                raise ValueError(f"timer {t.id}: unknown family {t.family!r}")
        for name, family in self.families.items():
            if not family.payouts or family.payouts[-1].up_to_hours is not None:
                raise ValueError(f"family {name}: payouts must end with up_to_hours: null")
            for p in family.payouts:
                p.amount(Money(0, currency))
        if self.fake_tracking is not None:
            if self.fake_tracking.family not in self.families:
                raise ValueError(f"fake_tracking: unknown family {self.fake_tracking.family!r}")
            if self.fake_tracking.repeated_nodes < 2:
                raise ValueError("fake_tracking.repeated_nodes must be at least 2")
        for cap in self.caps:
            unknown = set(cap.families) - set(self.families)
            if unknown:
                raise ValueError(f"cap names unknown families {sorted(unknown)}")

    @property
    def shortest_hours(self) -> int:
        """The shortest threshold of any timer (a guard for the hot path)."""
        hours = [t.hours for t in self.timers if t.hours is not None]
        hours += [
            min(r.local, r.cross_province, r.remote) for t in self.timers if (r := t.by_region)
        ]
        return min(hours)

    def lane_class(self, origin: str, destination: str) -> str:
        if origin in self.remote or destination in self.remote:
            return "remote"
        if origin and origin == destination:
            return "local"
        if any(origin in c and destination in c for c in self.clusters):
            return "local"
        return "cross_province"
