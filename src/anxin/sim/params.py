"""Simulation parameters: what to simulate (size, dates, carriers) and the presets.

Everything a run depends on is in :class:`SimParams`, so the same params and seed always give
the same bytes. The behaviour mixes (how merchants, consumers and orders are drawn) live in
``anxin.sim.mix`` as data; a run may carry its own mix or per-merchant overrides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from anxin.sim.mix import DEFAULT_MIX, Mix
from anxin.sim.timeline import CST, day_factor

DEFAULT_START = dt.datetime(2026, 10, 1, tzinfo=CST)
DEFAULT_CARRIERS: tuple[str, ...] = (
    "SF",
    "ZTO",
    "YTO",
    "STO",
    "YUNDA",
    "JD",
    "EMS",
    "DHL",
    "FEDEX",
)


@dataclass(frozen=True)
class SimParams:
    """One simulation run.

    ``orders_per_merchant_day`` is the mean on an ordinary weekday for a merchant of average
    size; weekly rhythm and promotion peaks (双11) multiply it. ``shards`` splits merchants into
    independent streams with their own seeds (concatenated in shard order): it is part of the
    result, while the number of worker processes is not.
    """

    seed: int = 1
    merchants: int = 20
    consumers: int = 3_000
    days: int = 7
    start: dt.datetime = DEFAULT_START
    carriers: tuple[str, ...] = DEFAULT_CARRIERS
    pack: str = "douyin"
    orders_per_merchant_day: float = 15.0
    scale: str = "custom"
    shards: int = 1
    source: str = "sim"
    mix: Mix = DEFAULT_MIX
    # Merchants' agents have anxin's suggested replies (issue 14; ``Mix.reactions``).
    reply_tools: bool = False
    # merchant_id -> {behaviour field: value}, e.g. {"M00003": {"late_ship_rate": 0.1}}
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("start must be timezone-aware (e.g. 2026-10-01T00:00+08:00)")
        if self.merchants < 1 or self.consumers < 1 or self.days < 1:
            raise ValueError("merchants, consumers and days must be at least 1")
        if not 1 <= self.shards <= self.merchants:
            raise ValueError("shards must be between 1 and the number of merchants")
        if self.orders_per_merchant_day < 0:
            raise ValueError("orders_per_merchant_day must be >= 0")
        if not self.carriers:
            raise ValueError("at least one carrier is needed")
        from anxin.sim.carriers import CARRIERS  # late import: carriers imports geography only

        unknown = [c for c in self.carriers if c not in CARRIERS]
        if unknown:
            raise ValueError(f"unknown carriers {unknown}; known: {', '.join(CARRIERS)}")
        if not any(not CARRIERS[c].international for c in self.carriers):
            raise ValueError("at least one domestic (Chinese) carrier is needed")

    def with_(self, **changes: Any) -> SimParams:
        return replace(self, **changes)

    def expected_orders(self) -> float:
        """Orders the run should produce on average (before caps and governance)."""
        start = self.start.astimezone(CST).date()
        factors = sum(day_factor(start + dt.timedelta(days=d)) for d in range(self.days))
        return self.orders_per_merchant_day * self.merchants * factors


@dataclass(frozen=True, slots=True)
class Preset:
    merchants: int
    consumers: int
    days: int
    target_orders: int
    shards: int = 1


# tiny: fast enough for unit tests; demo: ~100k orders; bench: ~1,000,000 orders in 2 shards.
PRESETS: Mapping[str, Preset] = {
    "tiny": Preset(merchants=20, consumers=2_000, days=7, target_orders=2_000),
    "demo": Preset(merchants=300, consumers=40_000, days=30, target_orders=100_000),
    "bench": Preset(merchants=3_000, consumers=300_000, days=30, target_orders=1_000_000, shards=2),
}


def preset(name: str, *, target_orders: int | None = None, **overrides: Any) -> SimParams:
    """Params of a named scale, tuned so the expected order count hits the preset's target.

    ``target_orders`` rescales the order rate; any other field may be overridden (a changed
    ``start`` or ``days`` keeps the per-day rate, so the total moves with the calendar).
    """
    if name not in PRESETS:
        raise ValueError(f"unknown scale {name!r}; known: {', '.join(PRESETS)}")
    p = PRESETS[name]
    base = SimParams(
        merchants=p.merchants, consumers=p.consumers, days=p.days, scale=name, shards=p.shards
    )
    per_day = base.expected_orders() / base.orders_per_merchant_day
    rate = (target_orders or p.target_orders) / per_day
    return replace(base, orders_per_merchant_day=rate).with_(**overrides)
