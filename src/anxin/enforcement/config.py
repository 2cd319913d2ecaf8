"""The pack section ``rules.enforcement``: what counts as a violation, how violations are
counted, which measures each rung of a ladder imposes, and the appeal and rectification rules.

Shape only; every number lives in the packs with its platform-rules.md citation (§2.1 shop-level
late shipment and out of stock, §3.2 trajectory anomaly, §3.3 fraud shipping, §5.1 negative
service, unjustified refusal and overdue tickets, §7 ladders and measures) or is marked anxin's
choice. Amounts are major units of the pack's currency, like every other section.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from anxin.domain.money import Money

SECTION = "enforcement"

Number = int | float
Share = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
Count = Annotated[int, msgspec.Meta(ge=0)]
Days = Annotated[int, msgspec.Meta(ge=1, le=3660)]

VIOLATION_TYPES: tuple[str, ...] = (
    "malicious_non_delivery",
    "false_inventory",
    "false_promise",
    "trajectory_anomaly",
    "fraud_shipping",
    "late_shipment_shop",
    "negative_service",
    "unjustified_refusal",
    "overdue_tickets",
)
# Violations another capability records about one listing, not a merchant's conduct (screening's
# post-sale feedback): they share the notices, measures and appeals, not the ladders.
LISTING_TYPES: tuple[str, ...] = ("listing_feedback",)

MeasureKind = Literal[
    "warning",
    "deposit_deduction",
    "settlement_freeze",
    "stop_settlement",
    "order_cap",
    "no_new_listings",
    "presale_off",
    "product_delisting",
    "sales_restricted",
    "alliance_restricted",
    "ad_ban",
    "suspension",
    "expulsion",
    "score_deduction",
    "listing_derank",
]
# Measures that last (a duration, or until cured); the others act once when imposed.
LASTING = frozenset(
    {
        "settlement_freeze", "stop_settlement", "order_cap", "no_new_listings", "presale_off",
        "product_delisting", "listing_derank", "sales_restricted", "alliance_restricted",
        "ad_ban", "suspension",
    }
)  # fmt: skip


class MeasureSpec(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """One measure of a rung. Money: a fixed ``amount``, or ``percent`` of the merchant's
    ``basis`` over ``basis_days`` (GMV or settlement), or ``multiple`` × that settlement; both
    clamped to ``minimum`` / ``maximum``. An order cap: ``orders_per_day``, or ``share`` of the
    daily average over ``basis_days`` capped at ``maximum``."""

    kind: MeasureKind
    days: Days | None = None  # how long it lasts; None: once (warning, deduction) or for good
    lift: Literal["expiry", "cured", "never"] = "expiry"
    amount: Number | None = None
    percent: Number | None = None
    multiple: Number | None = None
    basis: Literal["gmv", "settlement"] = "settlement"
    basis_days: Days | None = None
    minimum: Number | None = None
    maximum: Number | None = None
    orders_per_day: Count | None = None
    share: Share | None = None
    # A score deduction: the kind under ``merchant_score.deductions`` that holds its points.
    deduction: str | None = None

    def money(self, basis: int, currency: str) -> Money | None:
        """The amount of a deduction or a freeze, given the basis sum (minor units)."""
        lo = self._major(self.minimum, currency)
        hi = self._major(self.maximum, currency)
        if self.amount is not None:
            value = self._major(self.amount, currency)
        elif self.percent is not None:
            exact = Decimal(basis) * Decimal(str(self.percent)) / 100
            value = Money(_half_up(exact), currency)
        elif self.multiple is not None:
            value = Money(_half_up(Decimal(basis) * Decimal(str(self.multiple))), currency)
        else:
            return None
        assert value is not None
        if lo is not None and value < lo:
            value = lo
        if hi is not None and value > hi:
            value = hi
        return value

    def cap(self, daily_average: Decimal) -> int | None:
        """An order cap's orders per day (a share rounds down: a cap never grows by rounding)."""
        if self.orders_per_day is not None:
            return self.orders_per_day
        if self.share is not None:
            value = int(daily_average * Decimal(str(self.share)))
            return min(value, int(self.maximum)) if self.maximum is not None else value
        return None

    @staticmethod
    def _major(value: Number | None, currency: str) -> Money | None:
        return None if value is None else Money.of_major(Decimal(str(value)), currency)

    def check(self) -> None:
        if self.kind in LASTING and self.days is None and self.lift == "expiry":
            raise ValueError(f"{self.kind}: a lasting measure needs `days` (or lift: cured/never)")
        if self.kind == "order_cap" and self.orders_per_day is None and self.share is None:
            raise ValueError("order_cap: needs orders_per_day or share")
        if self.kind in ("deposit_deduction", "settlement_freeze") and (
            self.amount is None and self.percent is None and self.multiple is None
        ):
            raise ValueError(f"{self.kind}: needs amount, percent or multiple")
        if (self.percent is not None or self.multiple is not None) and self.basis_days is None:
            raise ValueError(f"{self.kind}: percent/multiple need basis_days")
        if self.kind == "score_deduction" and self.deduction is None:
            raise ValueError("score_deduction: needs deduction (a merchant_score deduction kind)")


def _half_up(value: Decimal) -> int:
    """Minor units, half-up (Douyin rounds penalties to whole units half-up, §7.1; a deduction's
    minor units are its own rounding step, done once)."""
    return int(value.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


class Rung(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    measures: list[MeasureSpec]


class ShareRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A day's share of orders above ``share_over`` (strictly) with at least ``min_orders``
    counted: false inventory, trajectory anomaly, false promise."""

    ladder: str
    share_over: Share
    min_orders: Count


class CountRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """At least ``min_orders`` counted orders in a day: fraud shipping, malicious
    non-delivery."""

    ladder: str
    min_orders: Annotated[int, msgspec.Meta(ge=1)]


class NonDeliveryRule(CountRule, frozen=True, kw_only=True):
    """Paid orders never shipped nor admitted out of stock, ``after_due_hours`` past their due:
    at least ``min_orders`` of a due day, and more than ``share_over`` of the orders due then
    (a shop that takes money and ships nothing, not one that lost a few parcels)."""

    after_due_hours: Annotated[int, msgspec.Meta(ge=1)] = 72
    share_over: Share = 0.0


class PromiseRule(ShareRule, frozen=True, kw_only=True):
    sources: list[str] = msgspec.field(default_factory=lambda: ["live_stream", "video", "chat"])


class LateTier(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Late rate (late ÷ due) ≥ ``rate`` (> when ``strict``) with ``min_late`` late, on
    ``days`` of the last ``within_days`` days (``days`` = ``within_days``: in a row)."""

    id: str
    ladder: str
    rate: Share
    strict: bool = False
    min_late: Count = 0
    days: Annotated[int, msgspec.Meta(ge=1)] = 1
    within_days: Annotated[int, msgspec.Meta(ge=1)] = 1


class LateShopRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    tiers: list[LateTier]  # the most severe first: a day meets one tier at most


class NegativeServiceRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    ladder: str
    average_over_seconds: Annotated[int, msgspec.Meta(ge=1)]
    min_rounds: Count
    unanswered_sessions: Annotated[int, msgspec.Meta(ge=1)]


class RefusalRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    ladder: str
    times_industry: Number
    min_refusals: Annotated[int, msgspec.Meta(ge=1)]
    industry_days: Days = 30


class TicketTier(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """(tickets ≥ ``min_tickets`` and overdue share ≥ ``overdue_share``) or (tickets <
    ``min_tickets`` and overdue ≥ ``overdue_count``), over one week."""

    id: str
    ladder: str
    min_tickets: Annotated[int, msgspec.Meta(ge=1)]
    overdue_share: Share
    overdue_count: Annotated[int, msgspec.Meta(ge=1)]


class TicketsRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    response_hours: Annotated[int, msgspec.Meta(ge=1)]
    tiers: list[TicketTier]  # the most severe first


class Violations(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The rules in force; a type left out is not enforced by the pack."""

    malicious_non_delivery: NonDeliveryRule | None = None
    false_inventory: ShareRule | None = None
    false_promise: PromiseRule | None = None
    trajectory_anomaly: ShareRule | None = None
    fraud_shipping: CountRule | None = None
    late_shipment_shop: LateShopRule | None = None
    negative_service: NegativeServiceRule | None = None
    unjustified_refusal: RefusalRule | None = None
    overdue_tickets: TicketsRule | None = None

    def ladders(self) -> list[str]:
        out: list[str] = []
        for name in VIOLATION_TYPES:
            rule = getattr(self, name)
            if rule is None:
                continue
            if isinstance(rule, LateShopRule | TicketsRule):
                out += [t.ladder for t in rule.tiers]
            else:
                out.append(rule.ladder)
        return out


class Counting(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """How violations of one type are numbered: per natural year (Douyin §7.1), per calendar
    quarter (Shopee-like resets), or over a rolling window of ``days`` (points that expire)."""

    period: Literal["natural_year", "quarter", "rolling"]
    days: Days | None = None


class AppealRules(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    file_within_days: Days  # natural days after the notice (§5.1: 7)
    decide_within_working_days: Days  # on the business calendar (§5.1: 5)


class Target(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """An indicator a rectification plan must bring to ``op`` ``value`` on its last
    ``days`` days in a row (each day with facts)."""

    indicator: str
    op: Literal["<=", ">="]
    value: Number


class RectificationRules(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """整改: a measure of one of these types opens a plan with its targets and deadline;
    completing it lifts the measures that wait for the cure (``lift: cured``)."""

    deadline_days: Days
    days_in_a_row: Days
    targets: dict[str, list[Target]]  # violation type → targets
    score_below: Number | None = None  # a merchant scoring below this gets a plan too
    score_targets: list[Target] = []


class EnforcementConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    counting: Counting
    appeals: AppealRules
    # Facts of a day are judged this many days after it (late answers, escalations, refunds
    # that decide whether an order counts must have had time to arrive).
    settle_days: Annotated[int, msgspec.Meta(ge=0, le=60)]
    out_of_stock_reasons: list[str]
    violations: Violations
    ladders: dict[str, list[Rung]]
    rectification: RectificationRules | None = None

    def check(self, currency: str) -> None:
        del currency
        if self.counting.period == "rolling" and self.counting.days is None:
            raise ValueError("counting: a rolling period needs `days`")
        for name in self.violations.ladders():
            if name not in self.ladders:
                raise ValueError(f"violations: ladder {name!r} is not defined under `ladders`")
        for name, rungs in self.ladders.items():
            if not rungs:
                raise ValueError(f"ladders.{name}: needs at least one rung")
            for i, rung in enumerate(rungs, 1):
                for m in rung.measures:
                    try:
                        m.check()
                    except ValueError as exc:
                        raise ValueError(f"ladders.{name}[{i}]: {exc}") from None
        if self.rectification is not None:
            unknown = set(self.rectification.targets) - set(VIOLATION_TYPES)
            if unknown:
                raise ValueError(f"rectification.targets: unknown violation types {unknown}")
            if self.rectification.score_below is not None and not self.rectification.score_targets:
                raise ValueError("rectification: score_below needs score_targets")

    def ladder(self, name: str, nth: int) -> Rung:
        """The rung for the ``nth`` violation (the last rung repeats: "6th and later")."""
        rungs = self.ladders[name]
        return rungs[min(nth, len(rungs)) - 1]


SCHEMAS: dict[str, type[msgspec.Struct]] = {SECTION: EnforcementConfig}
