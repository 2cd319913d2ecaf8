"""Merchants: who they are (industry, shop type, deposit, region) and how they behave.

The latent behaviour is a plain :class:`Behaviour` record so a test can pin it (for example
``late_ship_rate=0.10``) through ``SimParams.overrides``. Governance measures change what a
merchant does on later days (:meth:`Merchant.today`); a rectification plan changes the behaviour
in effect (:meth:`Merchant.rectify`), the latent record kept beside it.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, field, fields, replace
from typing import Literal, cast

from anxin.contract.events import Promise
from anxin.sim.carriers import CARRIERS
from anxin.sim.catalog import INDUSTRY_CHOICE, SHOP_DEPOSIT_FACTOR, Industry, Listing
from anxin.sim.catalog import make_listings as _make_listings
from anxin.sim.dist import Choice
from anxin.sim.geo import ABROAD, BY_NAME, MERCHANT_PROVINCES
from anxin.sim.governance import MerchantDay
from anxin.sim.mix import MerchantMix, Reactions
from anxin.sim.params import SimParams
from anxin.sim.violators import HONEST, ordinary, plant

ShopType = Literal["flagship", "specialty", "franchise", "personal", "other"]
SHOP_WORDS = ("安心", "优选", "良品", "悦享", "星辰", "小鹿", "森林", "晨光", "云朵", "初见")
INDUSTRY_WORDS = {
    "3c_digital": "数码",
    "beauty": "美妆",
    "apparel": "服饰",
    "food": "食品",
    "furniture": "家居",
    "pets": "宠物",
    "home": "日用",
    "mother_baby": "母婴",
    "jewelry": "珠宝",
}
SHOP_SUFFIX = {"flagship": "官方旗舰店", "specialty": "专营店", "franchise": "专卖店"}


@dataclass(slots=True)
class Behaviour:
    """A merchant's latent behaviour (rates are per order, hours are means or medians)."""

    size: float = 1.0  # relative order volume
    late_ship_rate: float = 0.05  # share of orders picked up after the binding promise
    late_hours: float = 14.0  # mean hours past the due when late
    ship_fraction: float = 0.45  # on time: how far into the ship window the pickup falls
    out_of_stock_rate: float = 0.01  # never shipped: cancelled or refunded after the due
    false_ship_rate: float = 0.0  # tracking uploaded, pickup much later or never
    fake_tracking_rate: float = 0.0  # a trace from before payment, or a reused number
    fraud_ship_rate: float = 0.0  # an empty parcel
    quality: float = 0.8  # 0..1: drives quality returns and low stars
    bad_listing_rate: float = 0.03  # share of listings inferior, misleading or prohibited
    chat_open: int = 9  # chat working hours, local [open, close)
    chat_close: int = 22
    reply_minutes: float = 1.5  # median reply latency inside working hours
    chat_miss_rate: float = 0.04  # messages never answered
    aftersale_hours: float = 5.0  # median time to answer an after-sale request
    refusal_rate: float = 0.04  # unjustified refusals of valid requests
    presale_rate: float = 0.0  # share of orders sold on presale (presale listings only)
    live_rate: float = 0.0  # share of orders from live streams (same-day promise)
    video_rate: float = 0.0  # share of orders from the merchant's selling video
    video_promise_hours: int = 24  # the ship-by the video promises
    promise_hours: int = 48  # listing ship-by promise; 0 = none
    # Planted violators (anxin.sim.violators); the defaults are every other merchant's.
    non_delivery_rate: float = 0.0  # paid orders never shipped nor cancelled by the merchant
    # Stock-outs the merchant admits (cancels as out of stock); the rest it leaves unshipped
    # until the consumer or the system refunds them.
    oos_cancel_share: float = 0.9
    oos_cancel_hours: float = 0.0  # > 0: admitted stock-outs cancelled this soon after payment
    false_promise_rate: float = 0.0  # channel-promised orders shipped at the listing's pace
    surge_factor: float = 1.0  # order volume on the surge days
    meltdown_start: int = -1  # day of the run (0 = first) the warehouse melts down; -1 never
    meltdown_days: int = 0
    meltdown_late_rate: float = 0.0  # late share of parcels due on the meltdown days
    chat_factor: float = 1.0  # scales how often its consumers ask before and after buying
    chat_promise_factor: float = 1.0  # scales how often its agents promise a ship-by in chat
    escalation_reply_rate: float = 1.0  # escalated cases the merchant sends evidence for


BEHAVIOUR_FIELDS = frozenset(f.name for f in fields(Behaviour))


@dataclass(frozen=True, slots=True)
class Today:
    """What a merchant does on one day, after governance measures."""

    late_ship_rate: float
    late_hours: float
    out_of_stock_rate: float
    presale_rate: float
    cap: int | None


@dataclass(slots=True)
class Merchant:
    index: int
    merchant_id: str
    name: str
    industry: Industry
    shop_type: ShopType
    deposit: int
    country: str
    province: str
    city: str
    carriers: tuple[str, ...]
    behaviour: Behaviour
    listings: list[Listing] = field(default_factory=list)
    spot_listings: list[Listing] = field(default_factory=list)
    presale_listings: list[Listing] = field(default_factory=list)
    # running state (bounded: counters and the last parcel, for reused tracking numbers)
    order_seq: int = 0
    parcel_seq: int = 0
    last_parcel: tuple[str, str, int] | None = None  # carrier, number, pickup instant
    penalty_until: dt.date | None = None
    payout_until: dt.date | None = None
    presale_off_until: dt.date | None = None
    cap: int | None = None
    cap_until: dt.date | None = None
    penalties_paid: int = 0
    video: Promise | None = None  # the selling video's promise, once published
    video_misleading: bool = False  # the video went out with a hollow claim
    live_misleading: bool = False  # today's live stream did
    violation: str = ""  # planted violators: the enforcement rule it breaks (truth only)
    violation_traits: dict[str, float] = field(default_factory=dict)
    stats: MerchantDay | None = None  # the day's counters its orders add to (governance)
    latent: Behaviour | None = None  # the drawn behaviour, once a rectification changed it
    plans: dict[str, tuple[dt.date, int]] = field(default_factory=dict)  # type → (until, plans)

    def rectify(self, about: str, until: dt.date) -> None:
        """A rectification plan about one violation type until ``until`` (in effect from the
        next :meth:`settle`): the merchant fixes the traits behind it (``FIXES``)."""
        if self.latent is None:
            self.latent = self.behaviour
        last, n = self.plans.get(about, (until, 0))
        self.plans[about] = (max(last, until), n + 1)

    def settle(self, day: dt.date, reactions: Reactions, floor: Behaviour) -> None:
        """The behaviour in effect on ``day``: each planned trait's excess over ``floor`` (the
        mix's typical merchant) cut while its plan runs, and after it partly back (less after
        each plan: ``Reactions``)."""
        if self.latent is None:
            return
        b = self.latent
        for about, (until, n) in sorted(self.plans.items()):
            factor = reactions.rectify_factor if day <= until else reactions.rectified_factor**n
            b = improved(b, factor, floor, FIXES.get(about, _BAD + _GOOD))
        self.behaviour = b

    def today(self, day: dt.date, reactions: Reactions) -> Today:
        b = self.behaviour
        late, hours, oos = b.late_ship_rate, b.late_hours, b.out_of_stock_rate
        if self.penalty_until is not None and day <= self.penalty_until:
            late *= reactions.penalty_late_factor
            hours *= reactions.penalty_late_hours_factor
            oos *= reactions.penalty_out_of_stock_factor
        elif self.payout_until is not None and day <= self.payout_until:
            late *= reactions.payout_late_factor
        presale_off = self.presale_off_until is not None and day <= self.presale_off_until
        capped = self.cap_until is not None and day <= self.cap_until
        return Today(
            late, hours, oos, 0.0 if presale_off else b.presale_rate, self.cap if capped else None
        )

    def next_serial(self) -> int:
        """A parcel serial unique across all merchants (merchant index, 6-digit sequence)."""
        self.parcel_seq += 1
        if self.parcel_seq >= 1_000_000:
            raise OverflowError(f"{self.merchant_id}: more than 999,999 parcels")
        return self.index * 1_000_000 + self.parcel_seq


# What a merchant does badly (higher is worse), and what it does well (higher is better).
_BAD = (
    "late_ship_rate",
    "late_hours",
    "out_of_stock_rate",
    "false_ship_rate",
    "fake_tracking_rate",
    "fraud_ship_rate",
    "non_delivery_rate",
    "false_promise_rate",
    "meltdown_late_rate",
    "reply_minutes",
    "chat_miss_rate",
    "refusal_rate",
    "aftersale_hours",
)
_GOOD = ("escalation_reply_rate",)
# The traits a rectification plan about each violation type fixes (its targets' indicators).
FIXES: dict[str, tuple[str, ...]] = {
    "malicious_non_delivery": ("non_delivery_rate", "out_of_stock_rate"),
    "false_inventory": ("out_of_stock_rate",),
    "false_promise": ("false_promise_rate", "late_ship_rate"),
    "trajectory_anomaly": ("false_ship_rate", "fake_tracking_rate"),
    "fraud_shipping": ("fraud_ship_rate",),
    "late_shipment_shop": ("late_ship_rate", "late_hours", "meltdown_late_rate"),
    "negative_service": ("reply_minutes", "chat_miss_rate"),
    "unjustified_refusal": ("refusal_rate", "aftersale_hours"),
    "overdue_tickets": ("escalation_reply_rate",),
}


def typical(params: SimParams) -> Behaviour:
    """The mix's typical honest merchant: what a rectified merchant is brought back toward."""
    mm = params.mix.merchants
    return _with(
        Behaviour(),
        {
            **HONEST,
            **ordinary(params),
            "late_hours": mm.late_hours.median,
            "aftersale_hours": mm.aftersale_hours.median,
            "escalation_reply_rate": 1.0,
        },
    )


def _with(b: Behaviour, traits: dict[str, float]) -> Behaviour:
    out = replace(b)
    for name, value in traits.items():
        setattr(out, name, value)
    return out


def improved(
    b: Behaviour, factor: float, floor: Behaviour, names: tuple[str, ...] = _BAD + _GOOD
) -> Behaviour:
    """``b`` with each of the named traits' excess over ``floor`` scaled by ``factor`` (0: as
    good as the floor, 1: unchanged); a trait already better than the floor stays as it is."""
    changes: dict[str, float] = {}
    for name in _BAD:
        if name not in names:
            continue
        mine, base = getattr(b, name), getattr(floor, name)
        if mine > base:
            changes[name] = base + (mine - base) * factor
    for name in _GOOD:
        if name not in names:
            continue
        mine, base = getattr(b, name), getattr(floor, name)
        if mine < base:
            changes[name] = base - (base - mine) * factor
    return _with(b, changes)


def merchant_id(index: int) -> str:
    return f"M{index:05d}"


def make_merchants(params: SimParams) -> list[Merchant]:
    """Every merchant of the run, drawn from its own seeded stream (same in every shard)."""
    if params.merchants > 99_999:
        raise ValueError("at most 99,999 merchants (ids and tracking serials are 5 digits)")
    rng = random.Random(f"anxin-sim:{params.seed}:merchants")
    mix = params.mix.merchants
    domestic = tuple(c for c in params.carriers if not CARRIERS[c].international)
    abroad = tuple(c for c in params.carriers if CARRIERS[c].international)
    merchants = [_merchant(rng, i, mix, domestic, abroad) for i in range(params.merchants)]
    mean_size = sum(m.behaviour.size for m in merchants) / len(merchants)
    for m in merchants:
        m.behaviour.size /= mean_size
        extra = params.overrides.get(m.merchant_id)
        if extra:
            unknown = set(extra) - BEHAVIOUR_FIELDS
            if unknown:
                raise ValueError(f"unknown behaviour fields for {m.merchant_id}: {unknown}")
            m.behaviour = replace(m.behaviour, **extra)
        b = m.behaviour
        m.listings = _make_listings(
            rng,
            m.merchant_id,
            m.industry,
            rng.randint(*mix.listings),
            b.bad_listing_rate,
            b.promise_hours,
            b.presale_rate > 0,
        )
        _index_listings(m)
    # Its own seeded stream, after every other draw: the merchant table stays as it was drawn.
    for m in plant(params, merchants):
        b = m.behaviour
        m.listings = _make_listings(
            random.Random(f"anxin-sim:{params.seed}:violators:{m.merchant_id}"),
            m.merchant_id,
            m.industry,
            len(m.listings),
            b.bad_listing_rate,
            b.promise_hours,
            b.presale_rate > 0,
        )
        _index_listings(m)
    return merchants


def _index_listings(m: Merchant) -> None:
    m.spot_listings = [x for x in m.listings if not x.presale]
    m.presale_listings = [x for x in m.listings if x.presale]


def _merchant(
    rng: random.Random,
    index: int,
    mix: MerchantMix,
    domestic: tuple[str, ...],
    abroad: tuple[str, ...],
) -> Merchant:
    industry = INDUSTRY_CHOICE.sample(rng)
    # Interned: msgspec omits a default-valued field by identity, and a mix that crossed a
    # process boundary (pickled params) holds equal but distinct strings.
    shop_type = cast(ShopType, sys.intern(mix.shop_type.sample(rng)))
    flagship = shop_type == "flagship"
    bad = rng.random() < mix.bad_actor_share
    open_, close = mix.chat_hours.sample(rng)
    b = Behaviour(
        size=mix.size.sample(rng) * (1.5 if flagship else 1.0),
        late_ship_rate=mix.late_ship_rate.sample(rng)
        * (mix.flagship_late_factor if flagship else 1.0),
        late_hours=mix.late_hours.sample(rng),
        ship_fraction=mix.ship_fraction.sample(rng),
        out_of_stock_rate=mix.out_of_stock_rate.sample(rng),
        oos_cancel_share=mix.oos_cancel_share,
        false_ship_rate=mix.false_ship_rate.sample(rng) if bad else 0.0,
        fake_tracking_rate=mix.fake_tracking_rate.sample(rng) if bad else 0.0,
        fraud_ship_rate=mix.fraud_ship_rate.sample(rng) if bad else 0.0,
        quality=min(
            0.99,
            max(
                0.05,
                mix.quality.sample(rng)
                + industry.quality_offset
                + (mix.flagship_quality_bonus if flagship else 0.0),
            ),
        ),
        bad_listing_rate=(mix.bad_actor_listing_rate if bad else mix.bad_listing_rate).sample(rng),
        chat_open=open_,
        chat_close=close,
        reply_minutes=mix.reply_minutes.sample(rng),
        chat_miss_rate=mix.chat_miss_rate.sample(rng),
        aftersale_hours=mix.aftersale_hours.sample(rng),
        refusal_rate=mix.refusal_rate.sample(rng) * (2.0 if bad else 1.0),
        presale_rate=mix.presale_rate.sample(rng) if rng.random() < mix.presale_user_share else 0.0,
        live_rate=mix.live_rate.sample(rng) if rng.random() < mix.live_user_share else 0.0,
        video_rate=mix.video_rate.sample(rng) if rng.random() < mix.video_user_share else 0.0,
        video_promise_hours=mix.video_promise_hours.sample(rng),
        promise_hours=mix.promise_hours.sample(rng),
    )
    for trait, cap in mix.background_caps:  # after every draw: the stream stays as it was
        if getattr(b, trait) > cap:
            setattr(b, trait, cap)
    mid = merchant_id(index)
    cross_border = bool(abroad) and rng.random() < mix.cross_border_share
    if cross_border:
        country, city = ABROAD[int(rng.random() * len(ABROAD))]
        province, carriers = "", _pick_carriers(rng, abroad)
    else:
        country, province = "CN", MERCHANT_PROVINCES.sample(rng)
        cities = BY_NAME[province].cities
        city = cities[0] if rng.random() < 0.6 else rng.choice(cities)
        carriers = _pick_carriers(rng, domestic)
    words = INDUSTRY_WORDS.get(industry.name, "")
    name = f"{rng.choice(SHOP_WORDS)}{words}{SHOP_SUFFIX.get(shop_type, '小店')}"
    deposit = int(industry.deposit * SHOP_DEPOSIT_FACTOR.get(shop_type, 1.0))
    return Merchant(
        index, mid, name, industry, shop_type, deposit, country, province, city, carriers, b
    )


def _pick_carriers(rng: random.Random, names: tuple[str, ...]) -> tuple[str, ...]:
    """One or two carriers by market share (the second for a share of parcels)."""
    pick = Choice(names, tuple(CARRIERS[n].share for n in names))
    first = pick.sample(rng)
    second = pick.sample(rng)
    return (first,) if second == first or rng.random() < 0.5 else (first, second)
