"""The merchant experience score's pack section (``rules.merchant_score``): data, not code.

Douyin 商家体验分 (platform-rules.md §1): which indicators make up each dimension, how a raw
value becomes a band score, the weights per industry and shop type, the night windows of the
indicator clocks, the growth stage, the small-sample floor, deductions and bonuses, and the
star display. :meth:`ScoreConfig.check` refuses anything the formula could not apply.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

import msgspec

from anxin.policy.pack import ClockTime

RULE_ID = "merchant_score"

DimensionId = Literal["product", "logistics", "service"]
ShopType = Literal["flagship", "non_flagship"]
DEFAULT_INDUSTRY = "default"
K = TypeVar("K", bound=str)

Points = Annotated[float, msgspec.Meta(gt=0)]
Weight = Annotated[float, msgspec.Meta(ge=0)]
Score = Annotated[int, msgspec.Meta(ge=0, le=100)]
Stars = Annotated[int, msgspec.Meta(ge=1, le=4)]  # a rating of 1..5 stars, at most this


class Indicator(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: str  # the marketplace's name (商品综合评分 …), for explanations
    higher_is_better: bool
    banded: bool = True  # False: the raw value already is a 50..100 score (揽收时长平均得分)
    small_sample_floor: bool = False  # fixed at the floor score for small shops
    unit: str = ""


class Bands(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Cut points at these percentiles of the industry, worst to best; one more band score."""

    percentiles: list[float]
    scores: list[Score]


class WeightSet(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Weights for an industry and shop type; a part left out falls back to a broader entry."""

    industry: str
    shop_type: ShopType | Literal["all"] = "all"
    dimensions: dict[DimensionId, Weight] | None = None
    indicators: dict[DimensionId, dict[str, Weight]] = {}
    published: bool = False  # True: the platform's own numbers; False: our default


class PickupStep(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    up_to_hours: float | None  # None: any longer wait
    score: Score


class PickupTable(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Hours from the pickup clock's start to the first pickup scan → the order's score."""

    steps: list[PickupStep]
    anomaly_or_fraud_score: Score  # a fraud-shipping or trajectory-anomaly payout


class Window(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Local times of day [start, end); wraps midnight when end <= start."""

    start: ClockTime
    end: ClockTime


class Clocks(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pickup_night: Window  # paid in it: the pickup clock starts at its end (06:00)
    review_night: Window  # requested in it: the review clock starts at its end (08:00)
    chat_hours: Window  # sessions started in it count
    unanswered_round_minutes: Points  # a consumer turn never answered counts this long


class Growth(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    below_orders: Annotated[int, msgspec.Meta(ge=1)]
    score: Score
    dropped_score: Score  # on bad behaviour or an indicator below its pass line


class SmallSample(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    score: Score
    max_bad: Annotated[int, msgspec.Meta(ge=0)]
    flagship_below: Annotated[int, msgspec.Meta(ge=1)]
    other_below: Annotated[int, msgspec.Meta(ge=1)]
    special_industries: list[str] = []  # use flagship_below for every shop type


class AdjustmentRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Points per event, at most ``cap`` per window; a bonus may target one dimension."""

    name: str
    points: Points
    cap: Points
    dimension: DimensionId | None = None
    drops_growth: bool = False  # a growth-stage shop drops to Growth.dropped_score
    min_share: Annotated[float, msgspec.Meta(gt=0, le=1)] | None = None  # earns it at ≥ this

    def earned_by(self, share: float) -> bool:
        """Whether a window's share (明日达 orders ÷ orders) earns this bonus event."""
        return self.min_share is not None and share >= self.min_share


class StarRange(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Scores from..to display ``first`` and +0.1 per ``per_points`` points above ``from_``."""

    from_: Annotated[int, msgspec.Meta(ge=0, le=100)] = msgspec.field(name="from")
    to: Annotated[int, msgspec.Meta(ge=0, le=100)]
    first: Annotated[str, msgspec.Meta(pattern=r"^[0-5]\.\d$")]
    per_points: Annotated[int, msgspec.Meta(ge=1)]


class StarIcon(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    from_display: Annotated[str, msgspec.Meta(pattern=r"^[0-5]\.\d$")]
    icons: Annotated[float, msgspec.Meta(ge=0, le=5)]


class StarDisplay(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    ranges: list[StarRange]
    icons: list[StarIcon]


class ScoreConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    model: str  # which generation of the indicator model (2026-07-14)
    dimensions: dict[DimensionId, list[str]]
    indicators: dict[str, Indicator]
    bands: Bands
    weights: list[WeightSet]
    pickup: PickupTable
    clocks: Clocks
    window_days: Annotated[int, msgspec.Meta(ge=1)]
    bad_rating_max_stars: Stars  # a product rating of at most this many stars is a bad one
    dissatisfied_chat_max_stars: Stars  # a chat session rated at most this is dissatisfied
    min_score: Score
    max_score: Score
    growth: Growth
    small_sample: SmallSample
    deductions: dict[str, AdjustmentRule] = {}
    bonuses: dict[str, AdjustmentRule] = {}
    stars: StarDisplay | None = None

    def check(self, currency: str) -> None:
        del currency  # scores are not money
        if self.min_score >= self.max_score:
            raise ValueError("min_score must be below max_score")
        self._check_indicators()
        self._check_bands()
        self._check_weights()
        self._check_pickup()
        for name in ("pickup_night", "review_night", "chat_hours"):
            window: Window = getattr(self.clocks, name)
            if window.start == window.end:
                raise ValueError(f"clocks.{name}: start and end must differ")
        if self.growth.dropped_score > self.growth.score:
            raise ValueError("growth.dropped_score must not exceed growth.score")
        both = set(self.deductions) & set(self.bonuses)
        if both:
            raise ValueError(f"{sorted(both)} are both a deduction and a bonus")
        for group, table in (("deductions", self.deductions), ("bonuses", self.bonuses)):
            for kind, adj in table.items():
                if adj.cap < adj.points:
                    raise ValueError(f"{group}.{kind}: cap {adj.cap} is below points {adj.points}")
                if adj.dimension is not None and group == "deductions":
                    raise ValueError(f"deductions.{kind}: only a bonus may target a dimension")
        if self.stars is not None:
            _check_stars(self.stars, self.min_score, self.max_score)

    def _check_indicators(self) -> None:
        if set(self.dimensions) != {"product", "logistics", "service"}:
            raise ValueError("dimensions: need exactly product, logistics and service")
        listed = [i for ids in self.dimensions.values() for i in ids]
        if len(set(listed)) != len(listed):
            raise ValueError("dimensions: an indicator is listed twice")
        if missing := set(listed) - set(self.indicators):
            raise ValueError(f"dimensions name undefined indicators {sorted(missing)}")
        if unused := set(self.indicators) - set(listed):
            raise ValueError(f"indicators {sorted(unused)} belong to no dimension")
        for dimension, ids in self.dimensions.items():
            if not ids:
                raise ValueError(f"dimensions.{dimension}: no indicators")

    def _check_bands(self) -> None:
        pct, scores = self.bands.percentiles, self.bands.scores
        if not pct or not all(0 < p < 100 for p in pct):
            raise ValueError("bands.percentiles must be between 0 and 100 (exclusive)")
        if any(b <= a for a, b in itertools.pairwise(pct)):
            raise ValueError(f"bands.percentiles must be strictly increasing, got {pct}")
        if len(scores) != len(pct) + 1:
            raise ValueError(
                f"bands: {len(pct)} percentiles make {len(pct) + 1} bands, got {len(scores)} scores"
            )
        if any(b <= a for a, b in itertools.pairwise(scores)):
            raise ValueError(f"bands.scores must be strictly increasing, got {scores}")

    def _check_weights(self) -> None:
        seen: set[tuple[str, str]] = set()
        for entry in self.weights:
            key = (entry.industry, entry.shop_type)
            where = f"weights[{entry.industry}/{entry.shop_type}]"
            if key in seen:
                raise ValueError(f"{where}: duplicate entry")
            seen.add(key)
            if entry.dimensions is not None:
                _sums_to_100(f"{where}.dimensions", entry.dimensions, list(self.dimensions))
            for dimension, weights in entry.indicators.items():
                _sums_to_100(f"{where}.indicators.{dimension}", weights, self.dimensions[dimension])
        base = self.weight_set(DEFAULT_INDUSTRY, "all")
        if base is None:
            raise ValueError(f"weights: need an entry with industry {DEFAULT_INDUSTRY}, all shops")
        if base.dimensions is None or set(base.indicators) != set(self.dimensions):
            raise ValueError("weights[default/all]: must give every dimension and indicator weight")

    def _check_pickup(self) -> None:
        steps = self.pickup.steps
        if not steps or steps[-1].up_to_hours is not None:
            raise ValueError("pickup.steps must end with up_to_hours: null")
        bounds = [s.up_to_hours for s in steps[:-1]]
        if None in bounds:
            raise ValueError("pickup.steps: only the last step may have up_to_hours: null")
        hours = [h for h in bounds if h is not None]
        if any(h < 0 for h in hours) or any(b <= a for a, b in itertools.pairwise(hours)):
            raise ValueError(f"pickup.steps: up_to_hours must increase from 0, got {hours}")
        scores = [s.score for s in steps]
        if any(b > a for a, b in itertools.pairwise(scores)):
            raise ValueError("pickup.steps: a longer wait must not score higher")
        for score in (*scores, self.pickup.anomaly_or_fraud_score):
            if not self.min_score <= score <= self.max_score:
                raise ValueError(
                    f"pickup: score {score} outside {self.min_score}..{self.max_score}"
                )

    # ------------------------------------------------------------------ lookups

    def weight_set(self, industry: str, shop_type: str) -> WeightSet | None:
        for entry in self.weights:
            if (entry.industry, entry.shop_type) == (industry, shop_type):
                return entry
        return None

    def _fallbacks(self, industry: str, shop_type: ShopType) -> list[WeightSet]:
        """Most specific first: this industry and shop type, this industry, the default."""
        keys = [(industry, shop_type), (industry, "all")]
        keys += [(DEFAULT_INDUSTRY, shop_type), (DEFAULT_INDUSTRY, "all")]
        return [e for k in keys if (e := self.weight_set(*k)) is not None]

    def dimension_weights(
        self, industry: str, shop_type: ShopType
    ) -> tuple[dict[DimensionId, float], WeightSet]:
        for entry in self._fallbacks(industry, shop_type):
            if entry.dimensions is not None:
                return dict(entry.dimensions), entry
        raise LookupError("no dimension weights")  # check() guarantees the default entry

    def indicator_weights(
        self, dimension: DimensionId, industry: str, shop_type: ShopType
    ) -> tuple[dict[str, float], WeightSet]:
        for entry in self._fallbacks(industry, shop_type):
            if dimension in entry.indicators:
                return dict(entry.indicators[dimension]), entry
        raise LookupError(f"no indicator weights for {dimension}")

    def floor_below(self, industry: str, shop_type: ShopType) -> int:
        """Shops with fewer valid orders than this get the small-sample floor."""
        s = self.small_sample
        special = industry in s.special_industries or shop_type == "flagship"
        return s.flagship_below if special else s.other_below

    def adjustment(self, kind: str) -> tuple[Literal["deduction", "bonus"], AdjustmentRule]:
        if kind in self.deductions:
            return "deduction", self.deductions[kind]
        if kind in self.bonuses:
            return "bonus", self.bonuses[kind]
        known = ", ".join(sorted([*self.deductions, *self.bonuses])) or "none"
        raise ValueError(f"unknown adjustment kind {kind!r} (known: {known})")


def _sums_to_100(
    where: str, weights: dict[str, float] | dict[DimensionId, float], expected: list[str]
) -> None:
    if set(weights) != set(expected):
        raise ValueError(f"{where}: expected weights for {sorted(expected)}, got {sorted(weights)}")
    total = sum((Decimal(str(w)) for w in weights.values()), Decimal(0))
    if total != 100:
        shown = int(total) if total == int(total) else total  # 99, not 99.0
        raise ValueError(f"{where}: weights sum to {shown}, not 100")


def _check_stars(stars: StarDisplay, low: int, high: int) -> None:
    ranges = sorted(stars.ranges, key=lambda r: r.from_)
    if not ranges or ranges[0].from_ != low or ranges[-1].to != high:
        raise ValueError(f"stars.ranges must cover {low}..{high}")
    for a, b in itertools.pairwise(ranges):
        if b.from_ != a.to + 1:
            raise ValueError(f"stars.ranges: gap or overlap between {a.to} and {b.from_}")
    for r in ranges:
        if r.to < r.from_:
            raise ValueError(f"stars.ranges: {r.from_}..{r.to} is empty")
        top = Decimal(r.first) + Decimal("0.1") * ((r.to - r.from_) // r.per_points)
        if top > 5:
            raise ValueError(f"stars.ranges: {r.from_}..{r.to} would display {top} (> 5.0)")
    icons = [Decimal(i.from_display) for i in stars.icons]
    if not icons or any(b <= a for a, b in itertools.pairwise(icons)):
        raise ValueError("stars.icons: from_display must be strictly increasing")
    if icons[0] > Decimal(ranges[0].first):
        raise ValueError(f"stars.icons: nothing for displays below {icons[0]}")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: ScoreConfig}
