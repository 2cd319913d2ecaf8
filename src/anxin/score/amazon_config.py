"""The seller-performance pack section (``rules.seller_metrics``): data, not code.

Amazon's seller-performance rates (platform-rules.md §6): what each rate measures, its windows,
its target and whether the target itself passes; anxin's Account-Health-style model (how far
past its target a rate costs points out of 1000, and the bands); and TikTok Shop's Shop
Performance Score (§1.7) as a variant. :meth:`SellerMetricsConfig.check` refuses anything
:mod:`anxin.score.amazon` could not apply.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

RULE_ID = "seller_metrics"

# What a rate counts (see anxin.score.amazon for the exact expressions).
Measure = Literal[
    "order_defect",  # orders paid in the window with a 1-2★ rating or an A-to-z claim
    "late_shipment",  # orders due to ship in the window, not shipped by their ship-by
    "pre_fulfilment_cancel",  # orders paid in the window the merchant cancelled unshipped
    "valid_tracking",  # orders shipped in the window whose parcel has a carrier scan
    "on_time_delivery",  # orders due for delivery in the window, signed by their due time
    "negative_review",  # orders signed in the window rated 1-2★
    "seller_fault_return",  # orders signed in the window with a seller-fault after-sale
]
Days = Annotated[int, msgspec.Meta(ge=1, le=366)]


class Penalty(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Health points a failing rate costs: ``points`` + ``per_percent`` × percentage points past
    the target, at most ``max`` (anxin's model: Amazon does not publish its formula)."""

    points: Decimal
    per_percent: Decimal
    max: Decimal


class RateMetric(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: str  # the marketplace's name, for explanations
    windows_days: list[Days]  # each window is reported; the worst one costs health points
    target_percent: Decimal
    higher_is_better: bool
    penalty: Penalty
    lag_days: Annotated[int, msgspec.Meta(ge=0)]  # windows end this long before as_of
    pass_at_target: bool = False  # True: a rate exactly at the target passes (≥ 95 %)
    published: bool = False  # True: the target is the platform's; False: our default


class Bands(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    healthy: int  # health ≥ this
    at_risk: int  # health ≥ this (and below healthy); lower is critical


class Health(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    start: int
    bands: Bands


class SpsStep(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A rate earns ``score`` when it is ``below`` (lower is better) or ``at_least`` (higher is
    better) the limit; the last step has neither and catches the rest."""

    score: Decimal
    below: Decimal | None = None
    at_least: Decimal | None = None


class SpsMetric(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: str
    measure: Measure
    window_days: Days
    higher_is_better: bool
    weight: Decimal
    steps: list[SpsStep]


class SpsCap(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A rate of ``metric`` at or past ``from_percent`` caps the score at ``max_score``."""

    metric: str
    from_percent: Decimal
    max_score: Decimal


class SpsConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: str
    metrics: dict[str, SpsMetric]
    min_delivered_orders: Annotated[int, msgspec.Meta(ge=1)]
    delivered_window_days: Days
    max_score: Decimal
    caps: list[SpsCap] = []


class SellerMetricsConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    model: str  # which generation of anxin's model (for explanations)
    metrics: dict[Measure, RateMetric]
    health: Health
    negative_max_stars: Annotated[int, msgspec.Meta(ge=1, le=4)]  # 1-2★ is negative
    seller_fault_reasons: list[str]  # score_orders.first_reason classes
    sps: SpsConfig | None = None

    def check(self, currency: str) -> None:
        del currency  # rates are not money
        if not self.metrics:
            raise ValueError("metrics: at least one rate")
        for metric_id, metric in self.metrics.items():
            _check_metric(metric_id, metric)
        if not self.seller_fault_reasons:
            raise ValueError("seller_fault_reasons: at least one reason class")
        bands = self.health.bands
        if not 0 < bands.at_risk < bands.healthy <= self.health.start:
            raise ValueError(
                f"health: need 0 < bands.at_risk ({bands.at_risk}) < bands.healthy "
                f"({bands.healthy}) <= start ({self.health.start})"
            )
        if self.sps is not None:
            _check_sps(self.sps)


def _percent(where: str, value: Decimal) -> None:
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(f"{where}: {value} is not a percentage in 0..100")


def _check_metric(metric_id: str, metric: RateMetric) -> None:
    where = f"metrics.{metric_id}"
    windows = metric.windows_days
    if not windows or len(set(windows)) != len(windows):
        raise ValueError(f"{where}.windows_days: need distinct windows, got {windows}")
    _percent(f"{where}.target_percent", metric.target_percent)
    p = metric.penalty
    if not all(x.is_finite() and x >= 0 for x in (p.points, p.per_percent, p.max)):
        raise ValueError(f"{where}.penalty: points, per_percent and max must be ≥ 0")
    if p.max < p.points:
        raise ValueError(f"{where}.penalty: max {p.max} is below points {p.points}")


def _check_sps(sps: SpsConfig) -> None:
    if not sps.metrics:
        raise ValueError("sps.metrics: at least one rate")
    if not sps.max_score.is_finite() or sps.max_score <= 0:
        raise ValueError("sps.max_score must be > 0")
    for metric_id, metric in sps.metrics.items():
        where = f"sps.metrics.{metric_id}"
        if not metric.weight.is_finite() or metric.weight <= 0:
            raise ValueError(f"{where}.weight must be > 0")
        _check_steps(where, metric, sps.max_score)
    for cap in sps.caps:
        if cap.metric not in sps.metrics:
            raise ValueError(f"sps.caps: unknown metric {cap.metric!r}")
        _percent(f"sps.caps[{cap.metric}].from_percent", cap.from_percent)
        if not 0 <= cap.max_score <= sps.max_score:
            raise ValueError(f"sps.caps[{cap.metric}].max_score outside 0..{sps.max_score}")


def _check_steps(where: str, metric: SpsMetric, top: Decimal) -> None:
    steps = metric.steps
    if not steps or steps[-1].below is not None or steps[-1].at_least is not None:
        raise ValueError(f"{where}.steps: the last step must have neither below nor at_least")
    limits: list[Decimal] = []
    for step in steps[:-1]:
        limit = step.at_least if metric.higher_is_better else step.below
        other = step.below if metric.higher_is_better else step.at_least
        if limit is None or other is not None:
            key = "at_least" if metric.higher_is_better else "below"
            raise ValueError(f"{where}.steps: every step but the last needs `{key}` only")
        _percent(f"{where}.steps", limit)
        limits.append(limit)
    # Best step first: lower-is-better limits rise, higher-is-better limits fall.
    pairs = list(itertools.pairwise(limits))
    if any((b >= a) if metric.higher_is_better else (b <= a) for a, b in pairs):
        raise ValueError(f"{where}.steps: limits must run from the best step to the worst")
    scores = [s.score for s in steps]
    if any(b > a for a, b in itertools.pairwise(scores)):
        raise ValueError(f"{where}.steps: a worse rate must not score higher")
    if not all(0 <= s <= top for s in scores):
        raise ValueError(f"{where}.steps: scores must be within 0..{top}")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: SellerMetricsConfig}
