"""Platform KPIs a consumer-experience team reports, folded from order states (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from anxin.domain.order import OrderState

SHIP_WITHIN_HOURS = 48  # the platform-wide "shipped within 48 h" KPI (DESIGN.md, KPIs)


@dataclass
class PlatformKpis:
    orders: int = 0
    paid_orders: int = 0
    cancelled_orders: int = 0
    shipped_orders: int = 0
    shipped_within_48h: int = 0
    ship_hours_total: float = 0.0
    reviewed_orders: int = 0
    stars_total: int = 0
    low_star_orders: int = 0  # 1-2 stars
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
            self.shipped_within_48h += hours <= SHIP_WITHIN_HOURS
        if state.review_stars is not None:
            self.reviewed_orders += 1
            self.stars_total += state.review_stars
            self.low_star_orders += state.review_stars <= 2
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
            "shipped_within_48h_share": share(self.shipped_within_48h, self.shipped_orders),
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


def platform_kpis(states: Iterable[OrderState]) -> PlatformKpis:
    kpis = PlatformKpis()
    for state in states:
        kpis.add(state)
    return kpis
