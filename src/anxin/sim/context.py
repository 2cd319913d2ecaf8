"""What every part of one shard's order generation shares: the seeded generator, the mixes,
the consumers, one tracker per carrier and cached regions and promises."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from typing import Any

from anxin.contract.events import Money, Promise, Region
from anxin.sim.carriers import CARRIERS
from anxin.sim.consumers import Consumers
from anxin.sim.content import ContentStandards
from anxin.sim.mix import OrderMix, Reactions
from anxin.sim.outreach import Outreach
from anxin.sim.params import SimParams
from anxin.sim.timeline import CST, day_start
from anxin.sim.tracking import Tracker

CNY = "CNY"


@dataclass(frozen=True, slots=True)
class PackView:
    """The two facts of the policy pack the simulator needs to know when an order is due."""

    default_promise: str = "next_day"
    same_day_cutoff_s: int = 16 * 3600


def pack_view(name: str, params: SimParams) -> PackView:
    """Read the pack's default ship-by promise and same-day cut-off (fall back to Douyin's)."""
    from anxin.application import load_policy
    from anxin.policy.pack import NoPolicyInForce

    book = load_policy(name)
    try:
        pack = book.in_force(params.start)
    except NoPolicyInForce:
        pack = book.latest
    config = pack.rule("late_shipment")
    if config is None:
        return PackView()
    hour, minute = str(config.same_day_cutoff).split(":")
    return PackView(str(config.default_promise), int(hour) * 3600 + int(minute) * 60)


@dataclass
class Context:
    params: SimParams
    rng: random.Random
    consumers: Consumers
    pack: PackView
    om: OrderMix = field(init=False)
    reactions: Reactions = field(init=False)
    source: str = field(init=False)
    trackers: dict[str, Tracker] = field(init=False)
    _regions: dict[tuple[str, str, str], Region] = field(init=False, default_factory=dict)
    _money: dict[int, Money] = field(init=False, default_factory=dict)
    listing_promises: dict[int, Promise] = field(init=False)
    run_start: int = field(init=False)  # local midnight of the run's first day
    # Pre-identification (issue 14): the platform's outreach, and the generator its reactions
    # draw from (never ``rng``, so a world with outreach is the same world without it).
    outreach: Outreach | None = None
    # Content standards (issue 15): the platform screens selling content at publication.
    content_standards: ContentStandards | None = None
    react_rng: random.Random = field(default_factory=random.Random)  # the shard seeds it

    def __post_init__(self) -> None:
        self.run_start = day_start(self.params.start.astimezone(CST).date())
        self.om = self.params.mix.orders
        self.reactions = self.params.mix.reactions
        self.source = self.params.source
        self.trackers = {c: Tracker(CARRIERS[c], self.params.source) for c in CARRIERS}
        self.listing_promises = {
            h: Promise(kind="ship", source="listing", within_hours=h) for h in (24, 48, 72)
        }

    def caches(self) -> list[dict[Any, Any]]:
        """Every memo the shard keeps: bounded by geography and prices, never by orders."""
        out: list[dict[Any, Any]] = [self._regions, self._money]
        for t in self.trackers.values():
            out += t.caches()
        return out

    def region(self, country: str, province: str, city: str) -> Region:
        key = (country, province, city)
        got = self._regions.get(key)
        if got is None:
            # Interned so default values are omitted however the strings were made.
            got = self._regions[key] = Region(
                country=sys.intern(country), province=sys.intern(province), city=sys.intern(city)
            )
        return got

    def destination(self, province: str, city: str, address_id: str) -> Region:
        """A Chinese consumer's door: the cached region plus the address hash (not cached, since
        addresses grow with consumers)."""
        r = self.region("CN", province, city)
        return Region(country=r.country, province=r.province, city=r.city, address_id=address_id)

    def money(self, amount: int) -> Money:
        """Money values are immutable: small amounts repeat, so share them."""
        got = self._money.get(amount)
        if got is None:
            got = Money(amount, CNY)
            if len(self._money) < 4096:  # bounded: list prices repeat, paid amounts vary
                self._money[amount] = got
        return got
