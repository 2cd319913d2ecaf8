"""Amazon-style seller-performance rates, anxin's 0–1000 health model and TikTok Shop's SPS.

Two halves, like the merchant score: :func:`seller_sums` is one Ibis expression giving every
merchant's integer numerators and denominators per rate and window (portable forms only, so
SQLite, PostgreSQL, DuckDB and Spark agree exactly), and :func:`seller_metrics` turns one
merchant's sums into rates, pass/fail, health and SPS in pure Python (platform-rules.md §6, §1.7).

Boundaries, all exact (integers and fractions, never floats):

* A window of ``d`` days is ``[as_of − lag − d, as_of − lag)`` on the rate's anchor instant: an
  order exactly at the start counts, one exactly at the end does not (as in ``metrics.py``).
* Facts after ``as_of`` are unknown: a rating, claim, cancellation or after-sale at or after
  ``as_of`` is ignored; an order due to ship before ``as_of`` and not shipped on time is late.
* "On time" includes the deadline itself: shipped at ``ship_by`` / signed at ``deliver_by``.
* A rate passes when strictly better than its target, or equal with ``pass_at_target``.
* Percentages are reported rounded half-up to 4 decimals, but pass/fail and health points use
  the exact fraction, so a displayed "1.0000" may still fail a "< 1 %" target (0.99999 %).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import msgspec

from anxin.clock import from_us
from anxin.score.amazon_config import (
    RULE_ID,
    Measure,
    RateMetric,
    SellerMetricsConfig,
    SpsConfig,
    SpsMetric,
)
from anxin.score.metrics import DAY_US

Band = Literal["healthy", "at_risk", "critical"]

# ------------------------------------------------------------------ sums (Ibis)


def _count(cond: ir.BooleanValue) -> ir.IntegerScalar:
    return ibis.ifelse(cond, 1, 0).sum()


def _measure(
    o: ir.Table, measure: Measure, start: int, end: int, as_of_us: int, config: SellerMetricsConfig
) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """(counted, hit) for one rate over ``[start, end)``; every condition is NULL-safe (never
    NULL), so negating one is sound on every engine."""

    def within(col: ir.IntegerValue) -> ir.BooleanValue:
        return col.notnull() & (col >= start) & (col < end)

    def known(col: ir.IntegerValue) -> ir.BooleanValue:
        return col.notnull() & (col < as_of_us)

    # Cancelled before it shipped (as known at as_of): out of shipping and delivery rates.
    cancelled = known(o.cancelled_at_us) & (
        o.shipped_at_us.isnull() | (o.cancelled_at_us < o.shipped_at_us)
    )
    negative = known(o.rated_at_us) & o.rating.notnull() & (o.rating <= config.negative_max_stars)
    if measure == "order_defect":  # order-correlated: one defect per order however many
        base = within(o.paid_at_us)
        return base, base & (negative | known(o.claim_at_us))
    if measure == "late_shipment":
        base = within(o.ship_by_us) & ~cancelled
        on_time = o.shipped_at_us.notnull() & (o.shipped_at_us <= o.ship_by_us)
        return base, base & ~on_time
    if measure == "pre_fulfilment_cancel":
        base = within(o.paid_at_us)
        return base, base & (o.merchant_cancelled == 1) & known(o.cancelled_at_us)
    if measure == "valid_tracking":
        base = within(o.shipped_at_us)
        return base, base & (o.tracked == 1)
    if measure == "on_time_delivery":
        base = within(o.deliver_by_us) & ~cancelled
        on_time = o.signed_at_us.notnull() & (o.signed_at_us <= o.deliver_by_us)
        return base, base & on_time
    if measure == "negative_review":
        base = within(o.signed_at_us)
        return base, base & negative
    if measure == "seller_fault_return":
        base = within(o.signed_at_us)
        fault = o.first_reason.notnull() & o.first_reason.isin(config.seller_fault_reasons)
        return base, base & known(o.aftersale_at_us) & fault
    raise ValueError(f"unknown measure {measure!r}")  # the config's Literal prevents this


def rate_column(metric: str, window_days: int) -> str:
    """The sums' column prefix of an Amazon rate's window (``late_shipment_10d``)."""
    return f"{metric}_{window_days}d"


def sps_column(metric: str) -> str:
    return f"sps_{metric}"


SPS_DELIVERED = "sps_delivered"


def sum_columns(config: SellerMetricsConfig) -> tuple[str, ...]:
    """Every column :func:`seller_sums` returns besides ``merchant_id`` (for ``collect``)."""
    prefixes = [rate_column(m, d) for m, r in config.metrics.items() for d in r.windows_days]
    if config.sps is not None:
        prefixes += [sps_column(m) for m in config.sps.metrics]
    columns = [f"{p}_{part}" for p in prefixes for part in ("num", "den")]
    return (*columns, *([SPS_DELIVERED] if config.sps is not None else []))


def seller_sums(orders: ir.Table, as_of_us: int, config: SellerMetricsConfig) -> ir.Table:
    """Per merchant, ``<rate>_<d>d_num`` / ``_den`` for every rate and window, the SPS rates'
    ``sps_<metric>_num`` / ``_den`` and ``sps_delivered`` (orders signed in its window)."""
    o = orders
    aggregates: dict[str, ir.IntegerScalar] = {}

    def add(prefix: str, measure: Measure, days: int, lag_days: int = 0) -> None:
        end = as_of_us - lag_days * DAY_US
        base, hit = _measure(o, measure, end - days * DAY_US, end, as_of_us, config)
        aggregates[f"{prefix}_num"] = _count(hit)
        aggregates[f"{prefix}_den"] = _count(base)

    for metric_id, rate in config.metrics.items():
        for days in rate.windows_days:
            add(rate_column(metric_id, days), metric_id, days, rate.lag_days)
    if config.sps is not None:
        for sps_id, sps_metric in config.sps.metrics.items():
            add(sps_column(sps_id), sps_metric.measure, sps_metric.window_days)
        start = as_of_us - config.sps.delivered_window_days * DAY_US
        signed = o.signed_at_us.notnull() & (o.signed_at_us >= start)
        aggregates[SPS_DELIVERED] = _count(signed & (o.signed_at_us < as_of_us))
    return o.group_by("merchant_id").aggregate(**aggregates)


# ------------------------------------------------------------------ rates and health (pure)


class RateValue(msgspec.Struct, frozen=True, kw_only=True):
    metric: str
    name: str
    window_days: int
    numerator: int
    denominator: int
    percent: Decimal | None  # half-up to 4 decimals; None: nothing to measure in the window
    target_percent: Decimal
    higher_is_better: bool
    pass_at_target: bool
    passed: bool | None  # None: no orders in the window (neither passes nor fails)
    penalty: Decimal  # health points this window costs, half-up to 2 decimals (display)


class SpsPart(msgspec.Struct, frozen=True, kw_only=True):
    metric: str
    name: str
    window_days: int
    numerator: int
    denominator: int
    percent: Decimal | None
    score: Decimal | None  # the step's score; None: no orders, left out of the mean
    weight: Decimal


class SellerHealth(msgspec.Struct, frozen=True, kw_only=True):
    merchant_id: str | None
    rates: list[RateValue]
    health: int  # 0..start (1000), rounded down
    band: Band
    sps: Decimal | None  # 0..5 to one decimal; None: too few delivered orders or no data
    sps_parts: list[SpsPart]
    explanation: dict[str, Any]


def _round(value: Fraction, places: int) -> Decimal:
    """Half-up (away from zero) to ``places`` decimals, exactly."""
    scaled = abs(value) * 10**places
    n = math.floor(scaled + Fraction(1, 2))
    out = Decimal(-n if value < 0 else n).scaleb(-places)
    return out.quantize(Decimal(1).scaleb(-places))


def _get(sums: Mapping[str, int], column: str) -> int:
    try:
        value = int(sums[column])
    except KeyError:
        raise KeyError(f"sums lack {column!r}: compute them with seller_sums") from None
    if value < 0:
        raise ValueError(f"{column} must be ≥ 0, got {value}")
    return value


def _ratio(sums: Mapping[str, int], prefix: str) -> tuple[int, int, Fraction | None]:
    num, den = _get(sums, f"{prefix}_num"), _get(sums, f"{prefix}_den")
    if num > den:
        raise ValueError(f"{prefix}: numerator {num} exceeds denominator {den}")
    return num, den, (Fraction(100 * num, den) if den else None)


def _passes(percent: Fraction, rate: RateMetric) -> bool:
    target = Fraction(rate.target_percent)
    if percent == target:
        return rate.pass_at_target
    return percent > target if rate.higher_is_better else percent < target


def _penalty(percent: Fraction, rate: RateMetric) -> Fraction:
    """Points for a failing rate: base + per percentage point past the target, capped."""
    p = rate.penalty
    past = abs(percent - Fraction(rate.target_percent))
    return min(Fraction(p.max), Fraction(p.points) + Fraction(p.per_percent) * past)


def band_of(health: int, config: SellerMetricsConfig) -> Band:
    """``healthy`` at or above bands.healthy, ``at_risk`` at or above bands.at_risk."""
    bands = config.health.bands
    if health >= bands.healthy:
        return "healthy"
    return "at_risk" if health >= bands.at_risk else "critical"


def _rates(
    sums: Mapping[str, int], config: SellerMetricsConfig
) -> tuple[list[RateValue], dict[str, Fraction]]:
    """Every rate and window; per metric, the cost of its worst window (exact)."""
    rows: list[RateValue] = []
    costs: dict[str, Fraction] = {}
    for metric_id, rate in config.metrics.items():
        worst = Fraction(0)
        for days in rate.windows_days:
            num, den, percent = _ratio(sums, rate_column(metric_id, days))
            passed = None if percent is None else _passes(percent, rate)
            cost = _penalty(percent, rate) if percent is not None and not passed else Fraction(0)
            worst = max(worst, cost)
            rows.append(
                RateValue(
                    metric=metric_id, name=rate.name, window_days=days, numerator=num,
                    denominator=den, percent=None if percent is None else _round(percent, 4),
                    target_percent=rate.target_percent, higher_is_better=rate.higher_is_better,
                    pass_at_target=rate.pass_at_target, passed=passed, penalty=_round(cost, 2),
                )
            )  # fmt: skip
        costs[metric_id] = worst
    return rows, costs


def _step_score(percent: Fraction, metric: SpsMetric) -> Decimal:
    for step in metric.steps:
        if metric.higher_is_better:
            if step.at_least is None or percent >= Fraction(step.at_least):
                return step.score
        elif step.below is None or percent < Fraction(step.below):
            return step.score
    raise ValueError("sps steps have no catch-all last step")  # check() prevents this


def _sps(
    sums: Mapping[str, int], sps: SpsConfig
) -> tuple[Decimal | None, list[SpsPart], dict[str, Any]]:
    """TikTok Shop's SPS: the weighted mean of the rates' step scores (metrics with no orders
    left out), half-up to one decimal, then capped; None below the delivered-orders minimum."""
    parts: list[SpsPart] = []
    exact: dict[str, Fraction] = {}
    for metric_id, metric in sps.metrics.items():
        num, den, percent = _ratio(sums, sps_column(metric_id))
        score = None if percent is None else _step_score(percent, metric)
        if percent is not None:
            exact[metric_id] = percent
        parts.append(
            SpsPart(
                metric=metric_id, name=metric.name, window_days=metric.window_days,
                numerator=num, denominator=den,
                percent=None if percent is None else _round(percent, 4),
                score=score, weight=metric.weight,
            )
        )  # fmt: skip
    delivered = _get(sums, SPS_DELIVERED)
    why: dict[str, Any] = {
        "name": sps.name,
        "delivered_orders": delivered,
        "min_delivered_orders": sps.min_delivered_orders,
        "delivered_window_days": sps.delivered_window_days,
    }
    scored = [p for p in parts if p.score is not None]
    if delivered < sps.min_delivered_orders or not scored:
        why["shown"] = False
        why["reason"] = "too_few_delivered_orders" if scored else "no_data"
        return None, parts, why
    total = sum((Fraction(p.weight) * Fraction(p.score or 0) for p in scored), Fraction(0))
    mean = total / sum((Fraction(p.weight) for p in scored), Fraction(0))
    score = _round(mean, 1)
    applied = []
    for cap in sps.caps:
        percent = exact.get(cap.metric)
        if percent is None:
            continue
        past = (
            percent <= Fraction(cap.from_percent)
            if sps.metrics[cap.metric].higher_is_better
            else percent >= Fraction(cap.from_percent)
        )
        if past and score > cap.max_score:
            score = cap.max_score
            applied.append(cap.metric)
    why.update(shown=True, weighted_mean=str(_round(mean, 4)), caps_applied=applied, score=score)
    return score, parts, why


def seller_metrics(
    sums: Mapping[str, int],
    config: SellerMetricsConfig,
    *,
    merchant_id: str | None = None,
    as_of_us: int | None = None,
    pack: str | None = None,
    pack_version: str | None = None,
) -> SellerHealth:
    """One merchant's rates, health (0..1000) and band, and SPS, from its :func:`seller_sums`.

    Health = start − Σ per metric (the worst window's penalty), rounded down, floored at 0:
    anxin's model of Amazon's unpublished Account Health formula. ``merchant_id``, ``as_of_us``,
    ``pack`` and ``pack_version`` only go into the explanation.
    """
    rates, costs = _rates(sums, config)
    total = sum(costs.values(), Fraction(0))
    health = max(0, math.floor(config.health.start - total))
    band = band_of(health, config)
    sps, parts, sps_why = (None, [], None) if config.sps is None else _sps(sums, config.sps)
    inputs = {c: _get(sums, c) for c in sum_columns(config)}
    as_of = None if as_of_us is None else from_us(as_of_us).isoformat()
    explanation: dict[str, Any] = {
        "rule": RULE_ID,
        "model": config.model,
        "pack": pack,
        "pack_version": pack_version,
        "merchant_id": merchant_id,
        "as_of": as_of,
        "inputs": inputs,
        "rates": {
            rate_column(r.metric, r.window_days): {
                "percent": None if r.percent is None else str(r.percent),
                "passed": r.passed,
            }
            for r in rates
        },
        "health": {
            "formula": "start - sum(worst-window penalty per metric), rounded down, >= 0",
            "start": config.health.start,
            "penalties": {m: str(_round(c, 2)) for m, c in costs.items()},
            "total_penalty": str(_round(total, 2)),
            "score": health,
            "band": band,
            "bands": {
                "healthy": config.health.bands.healthy,
                "at_risk": config.health.bands.at_risk,
            },
        },
        "sps": sps_why,
    }
    return SellerHealth(
        merchant_id=merchant_id, rates=rates, health=health, band=band, sps=sps,
        sps_parts=parts, explanation=explanation,
    )  # fmt: skip
