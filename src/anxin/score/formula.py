"""The merchant experience score (商家体验分), as pure functions of explicit inputs.

No I/O and no wall clock: the caller passes the instant the score is "as of", the pack's
timezone and config, and the industry cut points it computed with :func:`thresholds`.
Arithmetic is in :class:`~decimal.Decimal`; every number handed back is rounded half-up to two
decimals once, at the end, so no float drift reaches a score (platform-rules.md §1.1-§1.3).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Annotated, Any, Literal

import msgspec

from anxin.domain.calendar import require_aware
from anxin.score.config import RULE_ID, Clocks, DimensionId, PickupTable, ScoreConfig, ShopType
from anxin.score.config import Window as ClockWindow
from anxin.score.stars import stars

Aware = Annotated[dt.datetime, msgspec.Meta(tz=True)]
_CENT = Decimal("0.01")

# ------------------------------------------------------------------ indicator clocks


def _in_window(t: dt.time, window: ClockWindow) -> bool:
    start, end = dt.time.fromisoformat(window.start), dt.time.fromisoformat(window.end)
    if start < end:
        return start <= t < end
    return t >= start or t < end  # wraps midnight


def _night_start(t: dt.datetime, tz: dt.tzinfo, night: ClockWindow) -> dt.datetime:
    """``t`` in ``tz``; in the night window, the window's next end (the clock's start)."""
    local = require_aware(t).astimezone(tz)
    if not _in_window(local.time(), night):
        return local
    end = dt.time.fromisoformat(night.end)
    day = local.date() if local.time() < end else local.date() + dt.timedelta(days=1)
    # Through UTC, so a wall time skipped by a DST change lands on a real instant.
    return dt.datetime.combine(day, end, tz).astimezone(dt.UTC).astimezone(tz)


def pickup_clock_start(paid_at: dt.datetime, tz: dt.tzinfo, clocks: Clocks) -> dt.datetime:
    """When the pickup clock starts: payments 18:00–06:00 (local) start at 06:00."""
    return _night_start(paid_at, tz, clocks.pickup_night)


def review_clock_start(requested_at: dt.datetime, tz: dt.tzinfo, clocks: Clocks) -> dt.datetime:
    """When the after-sales review clock starts: requests 23:00–08:00 start at 08:00."""
    return _night_start(requested_at, tz, clocks.review_night)


def chat_session_counts(started_at: dt.datetime, tz: dt.tzinfo, clocks: Clocks) -> bool:
    """Whether a chat session counts: started 08:00:00–22:59:59 local, i.e. in [08:00, 23:00)."""
    return _in_window(require_aware(started_at).astimezone(tz).time(), clocks.chat_hours)


def round_minutes(replied_after: dt.timedelta | None, clocks: Clocks) -> float:
    """One human-service round's response time in minutes; unanswered (None) counts as 10."""
    if replied_after is None:
        return clocks.unanswered_round_minutes
    if replied_after < dt.timedelta(0):
        raise ValueError(f"a reply cannot come before the question ({replied_after})")
    return replied_after / dt.timedelta(minutes=1)


def pickup_order_score(hours: float, anomaly_or_fraud: bool, table: PickupTable) -> int:
    """One order's pickup score: the first step whose ``up_to_hours`` it is within (≤)."""
    if math.isnan(hours) or hours < 0:
        raise ValueError(f"hours to pickup must be a number ≥ 0, got {hours}")
    if anomaly_or_fraud:
        return table.anomaly_or_fraud_score
    for step in table.steps:
        if step.up_to_hours is None or hours <= step.up_to_hours:
            return step.score
    raise ValueError("pickup table has no open-ended last step")  # check() prevents this


# ------------------------------------------------------------------ bands


def thresholds(
    values: Sequence[float], percentiles: Sequence[float], higher_is_better: bool
) -> tuple[float, ...]:
    """Cut points at ``percentiles`` of an industry's values, ordered worst to best.

    Nearest-rank method on the values sorted worst first (ascending when higher is better,
    descending when lower is): the p-th percentile is the value of rank ⌈p/100 × n⌉ (at least
    rank 1). It always picks a member of the population, so it is exact and deterministic.
    """
    if not values:
        raise ValueError("thresholds need at least one value")
    if any(math.isnan(v) for v in values):
        raise ValueError("thresholds: a value is NaN")
    if not all(0 < p <= 100 for p in percentiles) or list(percentiles) != sorted(set(percentiles)):
        raise ValueError(f"percentiles must increase within (0, 100], got {list(percentiles)}")
    worst_first = sorted(values, reverse=not higher_is_better)
    n = len(worst_first)
    ranks = [max(1, math.ceil(Decimal(str(p)) * n / 100)) for p in percentiles]
    return tuple(worst_first[r - 1] for r in ranks)


def band(value: float, cuts: Sequence[float], higher_is_better: bool) -> int:
    """The band index, 0 (worst) .. len(cuts) (best): how many cut points ``value`` reaches.

    A value exactly at a cut reaches it and gets the better band. Equal cut points (a
    population with ties) make the bands between them empty.
    """
    if math.isnan(value):
        raise ValueError("band: value is NaN")
    pairs = list(itertools.pairwise(cuts))
    if not all((a <= b) if higher_is_better else (a >= b) for a, b in pairs):
        order = "increase" if higher_is_better else "decrease"
        raise ValueError(f"cut points must {order} from worst to best, got {list(cuts)}")
    if higher_is_better:
        return sum(value >= c for c in cuts)
    return sum(value <= c for c in cuts)


# ------------------------------------------------------------------ inputs and results


class Adjustment(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A deduction or bonus event (negative_service, brushing, next_day_share …) at a time."""

    kind: str
    at: Aware


class MerchantInputs(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    merchant_id: str
    industry: str
    shop_type: ShopType
    valid_orders: int  # valid paid orders in the window
    values: dict[str, float | None] = {}  # indicator → raw value over the window; None: no data
    bad_counts: dict[str, int] = {}  # indicator → its bad orders (for the small-sample floor)
    adjustments: list[Adjustment] = []
    failed_pass_line: bool = False  # an indicator below its pass line (growth stage)


class IndicatorScore(msgspec.Struct, frozen=True):
    indicator: str
    name: str
    value: float | None
    band: int | None  # 0 (worst) .. 5 (best); None when not banded, floored or dropped
    score: float | None  # None: no data, dropped
    weight: float  # as configured
    effective_weight: float  # % of the dimension after dropping indicators with no data
    floored: bool
    contribution: float  # score × effective_weight / 100


class DimensionScore(msgspec.Struct, frozen=True):
    dimension: DimensionId
    score: float | None  # with its bonuses; None: no indicator had data
    bonus: float
    weight: float
    effective_weight: float
    contribution: float
    indicators: list[IndicatorScore]


class AppliedAdjustment(msgspec.Struct, frozen=True):
    kind: str
    name: str
    count: int  # events inside the window
    points_each: float
    cap: float
    points: float  # min(count × points_each, cap)
    capped: bool
    dimension: DimensionId | None = None  # None: the total
    applied: float = 0  # what reached the score (a dimension stops at max_score)


class MerchantScore(msgspec.Struct, frozen=True):
    merchant_id: str
    stage: Literal["growth", "formal"]
    score: float  # half-up to 2 decimals
    stars: str | None  # "4.7"; None in the growth stage (not shown)
    star_icons: float | None
    dimensions: list[DimensionScore]
    deductions: list[AppliedAdjustment]
    bonuses: list[AppliedAdjustment]
    explanation: dict[str, Any]


# ------------------------------------------------------------------ the score


def _d(x: float) -> Decimal:
    return Decimal(str(x))


def _out(x: Decimal) -> float:
    return float(x.quantize(_CENT, rounding=ROUND_HALF_UP))


def _adjustments(
    inputs: MerchantInputs, config: ScoreConfig, as_of: dt.datetime
) -> list[AppliedAdjustment]:
    """Per kind, the events inside the window [as_of − window_days, as_of), capped."""
    start = as_of - dt.timedelta(days=config.window_days)
    counts: dict[str, int] = {}
    for a in inputs.adjustments:
        config.adjustment(a.kind)  # an unknown kind is an error, not silently ignored
        if start <= require_aware(a.at, "adjustment.at") < as_of:
            counts[a.kind] = counts.get(a.kind, 0) + 1
    applied = []
    for kind, n in sorted(counts.items()):
        _, rule = config.adjustment(kind)
        points, cap = _d(rule.points) * n, _d(rule.cap)
        applied.append(
            AppliedAdjustment(
                kind, rule.name, n, rule.points, rule.cap, _out(min(points, cap)), points > cap,
                rule.dimension,
            )
        )  # fmt: skip
    return applied


def _indicator(
    ind: str, inputs: MerchantInputs, cuts: Mapping[str, Sequence[float]], config: ScoreConfig,
    small: bool,
) -> tuple[Decimal | None, int | None, bool]:  # fmt: skip
    """(score, band, floored) of one indicator; score None when it has no data."""
    spec, value = config.indicators[ind], inputs.values.get(ind)
    if spec.small_sample_floor and small:
        bad = inputs.bad_counts.get(ind)
        if bad is None and value is not None:
            raise ValueError(f"{inputs.merchant_id}: bad_counts[{ind}] is needed (small shop)")
        # Fixed at the floor, whatever the value (and even with none): the floor is set by
        # order and bad counts alone.
        if bad is not None and bad <= config.small_sample.max_bad:
            return Decimal(config.small_sample.score), None, True
    if value is None:
        return None, None, False
    if not spec.banded:  # already a score: 揽收时长平均得分 is a mean of 50..100
        if not config.min_score <= value <= config.max_score:
            raise ValueError(
                f"{inputs.merchant_id}: {ind} = {value} is not a "
                f"{config.min_score}..{config.max_score} score"
            )
        return _d(value), None, False
    if len(cuts.get(ind, ())) != len(config.bands.scores) - 1:
        need = len(config.bands.scores) - 1
        raise ValueError(f"{ind}: need {need} cut points for {inputs.industry}")
    b = band(value, cuts[ind], spec.higher_is_better)
    return Decimal(config.bands.scores[b]), b, False


def _mean(
    scores: Sequence[Decimal | None], weights: Sequence[float]
) -> tuple[Decimal | None, list[Decimal]]:
    """The weighted mean over the parts with a score, and each part's share (%) of it: a part
    with no data hands its weight to the others, pro rata. None when no part has data."""
    total = sum((_d(w) for s, w in zip(scores, weights, strict=True) if s is not None), Decimal(0))
    if not total:
        return None, [Decimal(0)] * len(scores)
    shares = [
        Decimal(0) if s is None else _d(w) * 100 / total
        for s, w in zip(scores, weights, strict=True)
    ]
    parts = [s * share / 100 for s, share in zip(scores, shares, strict=True) if s is not None]
    return sum(parts, Decimal(0)), shares


def _contribution(score: Decimal | None, share: Decimal) -> float:
    return 0.0 if score is None else _out(score * share / 100)


def _dimension(
    dim: DimensionId, inputs: MerchantInputs, cuts: Mapping[str, Sequence[float]],
    config: ScoreConfig, small: bool, bonuses: list[AppliedAdjustment],
) -> tuple[Decimal | None, Decimal, list[IndicatorScore], str]:  # fmt: skip
    """(score with its bonuses, the bonus, indicator rows, where the weights came from)."""
    ids = config.dimensions[dim]
    weights, source = config.indicator_weights(dim, inputs.industry, inputs.shop_type)
    scored = [_indicator(i, inputs, cuts, config, small) for i in ids]
    score, shares = _mean([s for s, _, _ in scored], [weights[i] for i in ids])
    rows = [
        IndicatorScore(
            indicator=i,
            name=config.indicators[i].name,
            value=inputs.values.get(i),
            band=b,
            score=None if s is None else _out(s),
            weight=weights[i],
            effective_weight=_out(share),
            floored=floored,
            contribution=_contribution(s, share),
        )
        for i, (s, b, floored), share in zip(ids, scored, shares, strict=True)
    ]
    # A dimension bonus (remote-area logistics +3) stops at max_score; none without data.
    raised = score
    for n, bonus in enumerate(bonuses):
        if bonus.dimension == dim and raised is not None:
            new = min(raised + _d(bonus.points), Decimal(config.max_score))
            bonuses[n] = msgspec.structs.replace(bonus, applied=_out(new - raised))
            raised = new
    gained = Decimal(0) if raised is None or score is None else raised - score
    return raised, gained, rows, f"{source.industry}/{source.shop_type}"


def score_merchant(
    inputs: MerchantInputs,
    cuts: Mapping[str, Sequence[float]],
    config: ScoreConfig,
    as_of: dt.datetime,
    *,
    pack: str | None = None,
    pack_version: str | None = None,
) -> MerchantScore:
    """The merchant's score as of ``as_of``, from values over the window ending then.

    ``cuts``: per banded indicator, the industry's cut points from :func:`thresholds`.
    ``pack`` / ``pack_version`` only go into the explanation.
    """
    require_aware(as_of, "as_of")
    if inputs.valid_orders < 0:
        raise ValueError(f"{inputs.merchant_id}: valid_orders must be ≥ 0")
    for field in ("values", "bad_counts"):
        if unknown := set(getattr(inputs, field)) - set(config.indicators):
            raise ValueError(f"{inputs.merchant_id}: {field} names unknown {sorted(unknown)}")
    with localcontext() as ctx:
        ctx.prec = 28  # the caller's decimal context must not change a score
        adjustments = _adjustments(inputs, config, as_of)
        explanation: dict[str, Any] = {
            "rule": RULE_ID,
            "model": config.model,
            "pack": pack,
            "pack_version": pack_version,
            "as_of": as_of.isoformat(),
            "window_from": (as_of - dt.timedelta(days=config.window_days)).isoformat(),
            "industry": inputs.industry,
            "shop_type": inputs.shop_type,
            "valid_orders": inputs.valid_orders,
        }
        if inputs.valid_orders < config.growth.below_orders:
            return _growth(inputs, config, adjustments, explanation)
        return _formal(inputs, cuts, config, adjustments, explanation)


def _growth(
    inputs: MerchantInputs, config: ScoreConfig, adjustments: list[AppliedAdjustment],
    explanation: dict[str, Any],
) -> MerchantScore:  # fmt: skip
    """A flat score, dropped on bad behaviour or a failed pass line; not shown to consumers."""
    reasons = [a.kind for a in adjustments if config.adjustment(a.kind)[1].drops_growth]
    reasons += ["failed_pass_line"] if inputs.failed_pass_line else []
    score = config.growth.dropped_score if reasons else config.growth.score
    explanation.update(stage="growth", dropped_by=reasons, score=score)
    return MerchantScore(
        inputs.merchant_id, "growth", float(score), None, None, [], [], [], explanation
    )


def _formal(
    inputs: MerchantInputs, cuts: Mapping[str, Sequence[float]], config: ScoreConfig,
    adjustments: list[AppliedAdjustment], explanation: dict[str, Any],
) -> MerchantScore:  # fmt: skip
    small_below = config.floor_below(inputs.industry, inputs.shop_type)
    small = inputs.valid_orders < small_below
    bonuses = [a for a in adjustments if a.kind in config.bonuses]
    deductions = [a for a in adjustments if a.kind in config.deductions]
    dim_ids = list(config.dimensions)
    parts = [_dimension(d, inputs, cuts, config, small, bonuses) for d in dim_ids]
    dim_weights, source = config.dimension_weights(inputs.industry, inputs.shop_type)
    weighted, shares = _mean([p[0] for p in parts], [dim_weights[d] for d in dim_ids])
    if weighted is None:
        raise ValueError(f"{inputs.merchant_id}: no indicator has data")
    dimensions = [
        DimensionScore(
            dimension=d,
            score=None if s is None else _out(s),
            bonus=_out(gained),
            weight=dim_weights[d],
            effective_weight=_out(share),
            contribution=_contribution(s, share),
            indicators=rows,
        )
        for d, (s, gained, rows, _), share in zip(dim_ids, parts, shares, strict=True)
    ]
    bonuses = [b if b.dimension else msgspec.structs.replace(b, applied=b.points) for b in bonuses]
    deductions = [msgspec.structs.replace(d, applied=d.points) for d in deductions]
    bonus = sum((_d(b.points) for b in bonuses if b.dimension is None), Decimal(0))
    deducted = sum((_d(d.points) for d in deductions), Decimal(0))
    raw = weighted + bonus - deducted
    final = min(max(raw, Decimal(config.min_score)), Decimal(config.max_score))
    shown = None if config.stars is None else stars(final, config.stars)
    explanation.update(
        stage="formal",
        weights_from={"dimensions": f"{source.industry}/{source.shop_type}"}
        | {d: p[3] for d, p in zip(dim_ids, parts, strict=True)},
        small_sample_floor={"applies": small, "orders_below": small_below},
        weighted=_out(weighted),
        bonus=_out(bonus),
        deducted=_out(deducted),
        raw=_out(raw),
        clamped=raw != final,
        score=_out(final),
    )
    return MerchantScore(
        merchant_id=inputs.merchant_id,
        stage="formal",
        score=_out(final),
        stars=None if shown is None else shown[0],
        star_icons=None if shown is None else shown[1],
        dimensions=dimensions,
        deductions=deductions,
        bonuses=bonuses,
        explanation=explanation,
    )
