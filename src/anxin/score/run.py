"""Scoring a day: the engine's per-merchant sums → indicator values → industry cut points →
each merchant's score (``anxin.score.formula``), kept as daily history with its explanation.

The engines only sum integers (``anxin.score.metrics``); everything after — divisions, the
population percentiles, bands, weights, floors, stages, adjustments — is the same Python on the
same integers, which is why every engine gives the same scores.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.clock import from_us, to_us
from anxin.policy.pack import PolicyPack
from anxin.score import metrics
from anxin.score.amazon import SellerHealth, seller_metrics, seller_sums, sum_columns
from anxin.score.amazon_config import SellerMetricsConfig
from anxin.score.config import ScoreConfig
from anxin.score.engines import Source
from anxin.score.formula import (
    Adjustment,
    MerchantInputs,
    MerchantScore,
    score_merchant,
    thresholds,
)
from anxin.store import schema as t

HOUR_US = 3_600_000_000


def score_config(pack: PolicyPack) -> ScoreConfig:
    config: ScoreConfig | None = pack.rule("merchant_score")
    if config is None:
        raise ValueError(f"pack {pack.name} {pack.version} has no `merchant_score` section")
    return config


def bonuses_earned(
    counts: Mapping[str, int], config: ScoreConfig, as_of: dt.datetime
) -> list[Adjustment]:
    """The bonuses a merchant earned over the window, dated just before ``as_of`` (once per
    window): the next-day share at or above the pack's, and a remote signed order without an
    after-sale."""
    at = as_of - dt.timedelta(microseconds=1)
    out = []
    rule = config.bonuses.get("next_day_share")
    if (
        rule is not None
        and counts["signed"]
        and rule.earned_by(counts["next_day"] / counts["signed"])
    ):
        out.append(Adjustment("next_day_share", at))
    if "remote_area_delivery" in config.bonuses and counts["remote_clean"] > 0:
        out.append(Adjustment("remote_area_delivery", at))
    return out


def ladder(config: ScoreConfig) -> tuple[list[tuple[float, int]], int]:
    """The pickup table as (hours, score) rungs and the score past the last rung."""
    rungs = [
        (s.up_to_hours, int(s.score)) for s in config.pickup.steps if s.up_to_hours is not None
    ]
    worst = next(int(s.score) for s in config.pickup.steps if s.up_to_hours is None)
    return rungs, worst


def _ratio(numerator: int, denominator: int, scale: float = 1.0) -> float | None:
    return numerator / denominator / scale if denominator else None


def indicator_values(s: Mapping[str, int]) -> tuple[dict[str, float | None], dict[str, int]]:
    """Raw indicator values and bad counts from one merchant's sums."""
    values = {
        "product_rating": _ratio(s["rating_total"], s["rated"]),
        "quality_return_rate": _ratio(s["quality_returns"], s["signed"]),
        "pickup_score": _ratio(s["pickup_total"], s["pickup_orders"]),
        "on_time_delivery_rate": _ratio(s["deliveries_on_time"], s["deliveries_due"]),
        "logistics_return_rate": _ratio(s["logistics_returns"], s["valid_orders"]),
        "aftersale_review_hours": _ratio(s["review_us"], s["reviews"], HOUR_US),
        "chat_response_minutes": _ratio(s["chat_response_seconds"], s["chat_rounds"], 60),
        "chat_dissatisfaction_rate": _ratio(s["chats_dissatisfied"], s["chats_rated"]),
        "escalation_rate": _ratio(s["escalated"], s["sought_help"]),
    }
    bad = {
        "product_rating": s["bad_ratings"],
        "quality_return_rate": s["quality_returns"],
        "logistics_return_rate": s["logistics_returns"],
        "escalation_rate": s["escalated"],
        "chat_dissatisfaction_rate": s["chats_dissatisfied"],
    }
    return values, bad


def gather(source: Source, as_of: dt.datetime, config: ScoreConfig) -> list[MerchantInputs]:
    """Every known merchant's inputs for the window ending at ``as_of`` (one engine round trip
    per table)."""
    as_of_us = to_us(as_of)
    rungs, worst = ladder(config)
    anomaly = int(config.pickup.anomaly_or_fraud_score)
    orders = metrics.collect(
        metrics.order_sums(
            source.orders, as_of_us, config.window_days, rungs, worst, anomaly,
            bad_stars=config.bad_rating_max_stars,
        ),
        metrics.ORDER_COLUMNS,
    )  # fmt: skip
    chats = metrics.collect(
        metrics.chat_sums(
            source.chats, as_of_us, config.window_days,
            dissatisfied_stars=config.dissatisfied_chat_max_stars,
        ),
        metrics.CHAT_COLUMNS,
    )  # fmt: skip
    shops = source.merchants.to_pyarrow().to_pydict()
    start = as_of_us - config.window_days * 24 * HOUR_US
    a = source.adjustments
    recent = a.filter((a.at_us >= start) & (a.at_us < as_of_us)).to_pyarrow().to_pydict()
    adjustments: dict[str, list[Adjustment]] = defaultdict(list)
    for merchant, kind, at in zip(
        recent["merchant_id"], recent["kind"], recent["at_us"], strict=True
    ):
        adjustments[str(merchant)].append(Adjustment(str(kind), from_us(int(at))))
    earned = metrics.collect(
        metrics.bonus_sums(source.orders, as_of_us, config.window_days), metrics.BONUS_COLUMNS
    )
    for merchant, counts in earned.items():
        adjustments[merchant] += bonuses_earned(counts, config, as_of)
    empty_orders = dict.fromkeys(metrics.ORDER_COLUMNS, 0)
    empty_chats = dict.fromkeys(metrics.CHAT_COLUMNS, 0)
    out = []
    for merchant, industry, shop_type in sorted(
        zip(shops["merchant_id"], shops["industry"], shops["shop_type"], strict=True)
    ):
        sums = {**orders.get(merchant, empty_orders), **chats.get(merchant, empty_chats)}
        values, bad = indicator_values(sums)
        out.append(
            MerchantInputs(
                merchant_id=merchant,
                industry=industry or "",
                # The score's weights know flagship shops and the rest (旗舰 / 非旗舰).
                shop_type="flagship" if shop_type == "flagship" else "non_flagship",
                valid_orders=sums["valid_orders"],
                values=values,
                bad_counts=bad,
                adjustments=sorted(adjustments.get(merchant, []), key=lambda x: (x.at, x.kind)),
            )
        )
    return out


def industry_cuts(
    inputs: Sequence[MerchantInputs], config: ScoreConfig
) -> dict[str, dict[str, tuple[float, ...]]]:
    """Per industry, each banded indicator's cut points from the formal-stage population."""
    population: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for m in inputs:
        if m.valid_orders < config.growth.below_orders:
            continue  # growth-stage shops are not scored on indicators: not the benchmark
        for indicator, value in m.values.items():
            if value is not None:
                population[m.industry][indicator].append(value)
    cuts: dict[str, dict[str, tuple[float, ...]]] = {}
    for industry, values in population.items():
        cuts[industry] = {}
        for indicator, spec in config.indicators.items():
            if spec.banded and values.get(indicator):
                cuts[industry][indicator] = thresholds(
                    values[indicator], config.bands.percentiles, spec.higher_is_better
                )
    return cuts


def score_day(
    source: Source, as_of: dt.datetime, pack: PolicyPack
) -> tuple[list[MerchantInputs], list[MerchantScore]]:
    """Every merchant's inputs and score as of ``as_of`` (same order)."""
    config = score_config(pack)
    inputs = gather(source, as_of, config)
    cuts = industry_cuts(inputs, config)
    scores = [
        score_merchant(
            m, cuts.get(m.industry, {}), config, as_of, pack=pack.name, pack_version=pack.version
        )
        for m in inputs
    ]
    return inputs, scores


def score_all(source: Source, as_of: dt.datetime, pack: PolicyPack) -> list[MerchantScore]:
    return score_day(source, as_of, pack)[1]


def save_history(
    engine: sa.Engine,
    day: dt.date,
    pack: PolicyPack,
    engine_name: str,
    scores: Iterable[MerchantScore],
) -> int:
    """Replace the day's rows in ``merchant_scores`` (the daily history)."""
    return _replace_day(
        engine,
        day,
        pack,
        engine_name,
        [(s.merchant_id, s.stage, f"{s.score:.2f}", s) for s in scores],
    )


def _replace_day(
    engine: sa.Engine,
    day: dt.date,
    pack: PolicyPack,
    engine_name: str,
    rows: list[tuple[str | None, str, str, Any]],
) -> int:
    """Replace the day's rows in ``merchant_scores``: (merchant, stage, score, explanation)."""
    stored = [
        {
            "merchant_id": merchant_id,
            "day": day.isoformat(),
            "pack": pack.name,
            "pack_version": pack.version,
            "engine": engine_name,
            "stage": stage,
            "score": score,
            "explanation": json.dumps(msgspec.to_builtins(why), ensure_ascii=False, sort_keys=True),
        }
        for merchant_id, stage, score, why in rows
    ]
    with engine.begin() as conn:
        conn.execute(t.merchant_scores.delete().where(t.merchant_scores.c.day == day.isoformat()))
        if stored:
            conn.execute(t.merchant_scores.insert(), stored)
    return len(stored)


def as_dict(score: MerchantScore) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.to_builtins(score)
    return out


def seller_health_day(source: Source, as_of: dt.datetime, pack: PolicyPack) -> list[SellerHealth]:
    """Every merchant's Amazon-style metrics, health and SPS as of ``as_of`` (pack section
    ``seller_metrics``), from the same score facts."""
    config: SellerMetricsConfig | None = pack.rule("seller_metrics")
    if config is None:
        raise ValueError(f"pack {pack.name} {pack.version} has no `seller_metrics` section")
    as_of_us = to_us(as_of)
    sums = metrics.collect(seller_sums(source.orders, as_of_us, config), sum_columns(config))
    shops = source.merchants.to_pyarrow().to_pydict()["merchant_id"]
    empty = dict.fromkeys(sum_columns(config), 0)
    return [
        seller_metrics(
            sums.get(m, empty),
            config,
            merchant_id=m,
            as_of_us=as_of_us,
            pack=pack.name,
            pack_version=pack.version,
        )
        for m in sorted(shops)
    ]


def save_health_history(
    engine: sa.Engine,
    day: dt.date,
    pack: PolicyPack,
    engine_name: str,
    rows: Iterable[SellerHealth],
) -> int:
    """The Amazon-style health joins the same daily history (score = health, stage = band)."""
    return _replace_day(
        engine, day, pack, engine_name, [(h.merchant_id, h.band, str(h.health), h) for h in rows]
    )
