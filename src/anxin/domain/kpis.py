"""Platform KPIs a consumer-experience team reports, folded from order states (pure).

What counts as shipped in time and as a low rating is pack data (``rules.platform_kpis``,
:class:`KpiConfig`), like every other policy number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

import msgspec

from anxin.domain.order import OrderState

RULE_ID = "platform_kpis"


class KpiConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The pack section ``rules.platform_kpis``."""

    # The "shipped within N h" KPI (DESIGN.md, KPIs): hours from payment to shipment.
    ship_within_hours: Annotated[int, msgspec.Meta(ge=1)]
    # A review of at most this many stars counts towards the low-star share.
    low_star_max: Annotated[int, msgspec.Meta(ge=1, le=4)]


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: KpiConfig}


@dataclass
class PlatformKpis:
    config: KpiConfig
    orders: int = 0
    paid_orders: int = 0
    cancelled_orders: int = 0
    shipped_orders: int = 0
    shipped_within_hours: int = 0  # within config.ship_within_hours of payment
    ship_hours_total: float = 0.0
    reviewed_orders: int = 0
    stars_total: int = 0
    low_star_orders: int = 0  # at most config.low_star_max stars
    aftersale_orders: int = 0
    complaints: int = 0
    merchants: set[str] = field(default_factory=set)

    def add(self, state: OrderState) -> None:
        self.orders += 1
        if state.merchant_id:
            self.merchants.add(state.merchant_id)
        if state.paid_at is not None:
            self.paid_orders += 1
        if state.cancelled_at is not None:
            self.cancelled_orders += 1
        shipped_at = state.shipped_at()
        if shipped_at is not None and state.paid_at is not None:
            self.shipped_orders += 1
            hours = (shipped_at - state.paid_at).total_seconds() / 3600
            self.ship_hours_total += hours
            self.shipped_within_hours += hours <= self.config.ship_within_hours
        if state.review_stars is not None:
            self.reviewed_orders += 1
            self.stars_total += state.review_stars
            self.low_star_orders += state.review_stars <= self.config.low_star_max
        self.aftersale_orders += bool(state.aftersales)
        self.complaints += state.complaints

    def summary(self) -> dict[str, float | int]:
        def share(n: int, d: int) -> float:
            return round(n / d, 4) if d else 0.0

        return {
            "orders": self.orders,
            "merchants": len(self.merchants),
            "paid_orders": self.paid_orders,
            "cancelled_share": share(self.cancelled_orders, self.orders),
            "ship_within_hours": self.config.ship_within_hours,
            "shipped_within_hours_share": share(self.shipped_within_hours, self.shipped_orders),
            "avg_hours_to_ship": round(self.ship_hours_total / self.shipped_orders, 2)
            if self.shipped_orders
            else 0.0,
            "avg_review_stars": round(self.stars_total / self.reviewed_orders, 3)
            if self.reviewed_orders
            else 0.0,
            "low_star_share": share(self.low_star_orders, self.reviewed_orders),
            "aftersale_share": share(self.aftersale_orders, self.paid_orders),
            "complaints_per_1000_orders": round(1000 * self.complaints / self.orders, 2)
            if self.orders
            else 0.0,
        }


def platform_kpis(states: Iterable[OrderState], config: KpiConfig) -> PlatformKpis:
    """The KPIs over ``states``, with the thresholds of a pack's ``rules.platform_kpis``."""
    kpis = PlatformKpis(config)
    for state in states:
        kpis.add(state)
    return kpis
