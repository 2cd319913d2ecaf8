"""The whole merchant score: a worked example, growth stage, small-sample floor, missing data,
deductions and bonuses with their caps and window, the 50..100 clamp and half-up rounding."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anxin.score.config import ScoreConfig
from anxin.score.formula import (
    Adjustment,
    MerchantInputs,
    MerchantScore,
    score_merchant,
)
from tests.score.cases import (
    AS_OF,
    BEST,
    CONFIG,
    CUTS,
    DAY,
    PACK,
    US,
    WORST,
    events,
    merchant,
    only,
)


def score(inputs: MerchantInputs, config: ScoreConfig = CONFIG) -> MerchantScore:
    return score_merchant(inputs, CUTS, config, AS_OF, pack=PACK.name, pack_version=PACK.version)


def indicator(result: MerchantScore, name: str) -> Any:
    return next(i for d in result.dimensions for i in d.indicators if i.indicator == name)


def dimension(result: MerchantScore, name: str) -> Any:
    return next(d for d in result.dimensions if d.dimension == name)


# ---------------------------------------------------------------- a worked example


def test_worked_example() -> None:
    """A 3C数码 non-flagship shop, 1,200 valid orders (no small-sample floor).

    Product (default weights 60 / 40):
      商品综合评分 4.72 → cuts 4.0 4.3 4.5 4.7 | 4.85 → band 4 = 90
      商品品质退货率 0.02 → exactly at the cut 0.02 → the better band 3 = 80
      product = 90 × 0.6 + 80 × 0.4 = 86
    Logistics (default 40 / 30 / 30; 发货物流品退率 has no data → 40/70 and 30/70):
      揽收时长平均得分 93.37 (already a score); 配送时效达成率 0.95 → band 4 = 90
      logistics = (93.37 × 40 + 90 × 30) / 70 = 6434.8 / 70 = 91.925714…
      remote-area bonus +3 → 94.925714… (below the 100 cap)
    Service (3C数码 non-flagship, published 25 / 25 / 25 / 25):
      审核时长 10 h → band 4 = 90; 响应 3 min → band 3 = 80; 不满意率 0.06 → band 2 = 70;
      求助率 0.001 → band 5 = 100; service = (90 + 80 + 70 + 100) / 4 = 85
    Total (default 40 / 30 / 30): 86 × 0.4 + 94.925714… × 0.3 + 85 × 0.3
      = 34.4 + 28.477714… + 25.5 = 88.377714…
      − 3 (one 消极服务 5 days ago; a 刷单 31 days ago has expired) + 5 (明日达) = 90.377714…
      → 90.38 (half-up), displayed 4.8 (89-92) with 4.5 stars.
    """
    inputs = merchant(
        industry="3C数码",
        valid_orders=1200,
        values={
            "product_rating": 4.72,
            "quality_return_rate": 0.02,
            "pickup_score": 93.37,
            "on_time_delivery_rate": 0.95,
            "logistics_return_rate": None,
            "aftersale_review_hours": 10,
            "chat_response_minutes": 3,
            "chat_dissatisfaction_rate": 0.06,
            "escalation_rate": 0.001,
        },
        adjustments=[
            *events("negative_service", 5 * DAY),
            *events("brushing", 31 * DAY),
            *events("next_day_share", 10 * DAY),
            *events("remote_area_delivery", 2 * DAY),
        ],
    )
    result = score(inputs)
    assert (result.stage, result.score, result.stars, result.star_icons) == (
        "formal", 90.38, "4.8", 4.5
    )  # fmt: skip
    assert [(d.dimension, d.score, d.bonus, d.effective_weight, d.contribution)
            for d in result.dimensions] == [
        ("product", 86.0, 0.0, 40.0, 34.4),
        ("logistics", 94.93, 3.0, 30.0, 28.48),
        ("service", 85.0, 0.0, 30.0, 25.5),
    ]  # fmt: skip
    rows = [(i.indicator, i.band, i.score, i.effective_weight, i.contribution)
            for i in dimension(result, "logistics").indicators]  # fmt: skip
    assert rows == [
        ("pickup_score", None, 93.37, 57.14, 53.35),
        ("on_time_delivery_rate", 4, 90.0, 42.86, 38.57),
        ("logistics_return_rate", None, None, 0.0, 0.0),
    ]
    assert indicator(result, "quality_return_rate").band == 3
    assert [i.band for i in dimension(result, "service").indicators] == [4, 3, 2, 5]
    assert [(d.kind, d.count, d.points) for d in result.deductions] == [("negative_service", 1, 3)]
    assert [(b.kind, b.points, b.applied, b.dimension) for b in result.bonuses] == [
        ("next_day_share", 5, 5, None),
        ("remote_area_delivery", 3, 3, "logistics"),
    ]
    e = result.explanation
    assert (e["pack"], e["pack_version"], e["model"]) == ("douyin", "2026-08-10", "2026-07-14")
    assert (e["weighted"], e["deducted"], e["bonus"], e["raw"], e["clamped"]) == (
        88.38, 3, 5, 90.38, False
    )  # fmt: skip
    assert e["weights_from"] == {
        "dimensions": "default/all",
        "product": "default/all",
        "logistics": "default/all",
        "service": "3C数码/non_flagship",
    }
    assert e["small_sample_floor"] == {"applies": False, "orders_below": 500}
    json.dumps(e)  # plain JSON
    assert msgspec.json.decode(msgspec.json.encode(result), type=MerchantScore) == result


# ---------------------------------------------------------------- extremes and the clamp


def test_best_and_worst_everywhere() -> None:
    assert score(merchant()).score == 100
    assert score(merchant(values=WORST)).score == 50


def test_clamped_at_50() -> None:
    result = score(merchant(values=WORST, adjustments=events("negative_service", DAY)))
    assert result.score == 50
    assert (result.explanation["raw"], result.explanation["clamped"]) == (47, True)
    assert (result.stars, result.star_icons) == ("3.0", 3)


def test_clamped_at_100() -> None:
    result = score(merchant(adjustments=events("next_day_share", DAY)))
    assert result.score == 100
    assert (result.explanation["raw"], result.explanation["clamped"]) == (105, True)


# ---------------------------------------------------------------- deductions and bonuses


@pytest.mark.parametrize(
    ("adjustments", "deducted", "capped"),
    [
        pytest.param(events("negative_service", *[DAY] * 4), 12, [False], id="4-negative"),
        pytest.param(events("negative_service", *[DAY] * 5), 15, [False], id="5-negative"),
        pytest.param(events("negative_service", *[DAY] * 6), 15, [True], id="6-negative-capped"),
        pytest.param(events("brushing", DAY), 15, [False], id="brushing-once"),
        pytest.param(events("brushing", DAY, 2 * DAY), 15, [True], id="brushing-twice"),
        pytest.param(events("negative_service", DAY) + events("brushing", DAY), 18,
                     [False, False], id="caps-are-per-kind"),
    ],
)  # fmt: skip
def test_deduction_caps(adjustments: list[Adjustment], deducted: int, capped: list[bool]) -> None:
    result = score(merchant(adjustments=adjustments))
    assert result.score == 100 - deducted
    assert [d.capped for d in result.deductions] == capped


@pytest.mark.parametrize(
    ("age", "counts"),
    [
        pytest.param(DAY, True, id="1-day"),
        pytest.param(30 * DAY, True, id="exactly-30-days"),
        pytest.param(30 * DAY + US, False, id="30-days-and-1us"),
        pytest.param(31 * DAY, False, id="31-days"),
        pytest.param(dt.timedelta(0), False, id="at-as-of"),
        pytest.param(-DAY, False, id="future"),
    ],
)
def test_only_events_inside_the_30_day_window_count(age: dt.timedelta, counts: bool) -> None:
    result = score(merchant(adjustments=events("negative_service", age)))
    assert result.score == (97 if counts else 100)


def test_a_bonus_counts_once_per_window() -> None:
    result = score(merchant(values=WORST, adjustments=events("next_day_share", DAY, 2 * DAY)))
    assert result.score == 55
    (bonus,) = result.bonuses
    assert (bonus.count, bonus.points, bonus.capped) == (2, 5, True)


def test_remote_area_bonus_raises_logistics_up_to_100() -> None:
    values = dict(BEST, pickup_score=97)  # logistics = 97 × 0.4 + 100 × 0.6 = 98.8
    result = score(merchant(values=values, adjustments=events("remote_area_delivery", DAY, DAY)))
    logistics = dimension(result, "logistics")
    assert (logistics.score, logistics.bonus) == (100, 1.2)
    (bonus,) = result.bonuses
    assert (bonus.points, bonus.applied, bonus.capped) == (3, 1.2, True)  # two events, once
    assert result.score == 100


def test_remote_area_bonus_needs_logistics_data() -> None:
    values = only("product_rating", "quality_return_rate")
    result = score(merchant(values=values, adjustments=events("remote_area_delivery", DAY)))
    assert result.bonuses[0].applied == 0
    assert result.score == 100


# ---------------------------------------------------------------- growth stage


def test_29_orders_is_the_growth_stage_30_is_formal() -> None:
    growth = score_merchant(merchant(valid_orders=29, values={}), {}, CONFIG, AS_OF)
    assert (growth.stage, growth.score, growth.stars, growth.star_icons) == (
        "growth", 70, None, None
    )  # fmt: skip
    assert growth.dimensions == []
    assert score(merchant(valid_orders=30, bad_counts=NO_BAD)).stage == "formal"


@pytest.mark.parametrize(
    ("changes", "expected", "reasons"),
    [
        pytest.param({}, 70, [], id="clean"),
        pytest.param({"adjustments": events("negative_service", DAY)}, 60, ["negative_service"],
                     id="negative-service"),
        pytest.param({"adjustments": events("brushing", DAY)}, 60, ["brushing"], id="brushing"),
        pytest.param({"failed_pass_line": True}, 60, ["failed_pass_line"], id="pass-line"),
        pytest.param({"adjustments": events("brushing", 31 * DAY)}, 70, [], id="expired"),
        pytest.param({"adjustments": events("next_day_share", DAY)}, 70, [], id="a-bonus"),
        pytest.param({"adjustments": events("brushing", DAY) + events("brushing", DAY),
                      "failed_pass_line": True}, 60, ["brushing", "failed_pass_line"],
                     id="drops-once-to-60"),
    ],
)  # fmt: skip
def test_growth_stage_drops_to_60(
    changes: dict[str, Any], expected: int, reasons: list[str]
) -> None:
    result = score(merchant(valid_orders=12, **changes))
    assert (result.stage, result.score) == ("growth", expected)
    assert result.explanation["dropped_by"] == reasons


# ---------------------------------------------------------------- small-sample floor

FLOORED = [
    "product_rating",
    "quality_return_rate",
    "logistics_return_rate",
    "chat_dissatisfaction_rate",
    "escalation_rate",
]
NO_BAD = dict.fromkeys(FLOORED, 0)


def floored(result: MerchantScore) -> list[str]:
    return [i.indicator for d in result.dimensions for i in d.indicators if i.floored]


@pytest.mark.parametrize(
    ("shop_type", "orders", "applies"),
    [
        ("flagship", 299, True),
        ("flagship", 300, False),
        ("non_flagship", 299, True),
        ("non_flagship", 499, True),
        ("non_flagship", 500, False),
    ],
)
def test_floor_by_orders_and_shop_type(shop_type: str, orders: int, applies: bool) -> None:
    result = score(merchant(shop_type=shop_type, valid_orders=orders, bad_counts=NO_BAD))
    assert floored(result) == (FLOORED if applies else [])
    assert indicator(result, "product_rating").score == (80 if applies else 100)
    assert indicator(result, "on_time_delivery_rate").score == 100  # never floored


@pytest.mark.parametrize(("bad", "applies"), [(0, True), (3, True), (4, False)])
def test_floor_needs_at_most_3_bad(bad: int, applies: bool) -> None:
    inputs = merchant(valid_orders=200, bad_counts=dict(NO_BAD, product_rating=bad))
    result = score(inputs)
    assert ("product_rating" in floored(result)) is applies
    assert indicator(result, "product_rating").score == (80 if applies else 100)


def test_floor_fixes_the_score_whatever_the_value() -> None:
    # the floor replaces a bad band too, and holds with no value at all (bad count known)
    inputs = merchant(
        valid_orders=200,
        values=dict(WORST, product_rating=None),
        bad_counts=dict(NO_BAD, product_rating=2),
    )
    result = score(inputs)
    assert indicator(result, "product_rating").score == 80
    assert indicator(result, "quality_return_rate").score == 80
    assert dimension(result, "product").score == 80


def test_small_shop_without_a_bad_count() -> None:
    no_data = merchant(valid_orders=200, bad_counts={}, values=dict(BEST, product_rating=None))
    with pytest.raises(ValueError, match=r"bad_counts\[quality_return_rate\] is needed"):
        score(no_data)
    ok = merchant(valid_orders=200, values=dict(BEST, product_rating=None),
                  bad_counts={k: 0 for k in FLOORED if k != "product_rating"})  # fmt: skip
    assert indicator(score(ok), "product_rating").score is None  # no value, no count: dropped


def test_special_industries_use_the_flagship_threshold() -> None:
    small = msgspec.structs.replace(CONFIG.small_sample, special_industries=["珠宝文玩"])
    config = msgspec.structs.replace(CONFIG, small_sample=small)
    inputs = merchant(industry="珠宝文玩", valid_orders=300, bad_counts=NO_BAD)
    assert floored(score(inputs, config)) == []
    assert floored(score(msgspec.structs.replace(inputs, valid_orders=299), config)) == FLOORED


# ---------------------------------------------------------------- missing data


def test_a_dimension_without_data_hands_its_weight_on() -> None:
    values = {**only("product_rating", "quality_return_rate"), "pickup_score": 50}
    values |= {"on_time_delivery_rate": 0.5}
    result = score(merchant(values=values))
    # product 100 × 40/70 + logistics 50 × 30/70 = 5500 / 70 = 78.571…
    assert result.score == 78.57
    assert [d.effective_weight for d in result.dimensions] == [57.14, 42.86, 0]
    assert dimension(result, "service").score is None


def test_no_data_at_all_is_refused() -> None:
    with pytest.raises(ValueError, match="M1: no indicator has data"):
        score(merchant(values=only()))


# ---------------------------------------------------------------- rounding


@pytest.mark.parametrize(("pickup", "expected"), [(70.125, 70.13), (70.005, 70.01)])
def test_half_up_to_two_decimals_without_float_drift(pickup: float, expected: float) -> None:
    assert round(pickup, 2) != expected  # float rounding would get these wrong
    result = score(merchant(values=only("pickup_score", base=dict(BEST, pickup_score=pickup))))
    assert result.score == expected


def test_the_callers_decimal_context_does_not_matter() -> None:
    inputs = merchant(values=dict(BEST, pickup_score=93.37, logistics_return_rate=None))
    expected = score(inputs)
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.rounding = 3, decimal.ROUND_DOWN
        assert score(inputs) == expected


# ---------------------------------------------------------------- refused inputs


@pytest.mark.parametrize(
    ("inputs", "cuts", "match"),
    [
        pytest.param(merchant(values={"sales": 1.0}), CUTS, r"values names unknown \['sales'\]",
                     id="unknown-indicator"),
        pytest.param(merchant(bad_counts={"sales": 1}), CUTS, "bad_counts names unknown",
                     id="unknown-bad-count"),
        pytest.param(merchant(adjustments=events("rudeness", DAY)), CUTS,
                     "unknown adjustment kind 'rudeness'", id="unknown-kind"),
        pytest.param(merchant(valid_orders=-1), CUTS, "valid_orders must be ≥ 0", id="orders"),
        pytest.param(merchant(), {}, "product_rating: need 5 cut points", id="no-cuts"),
        pytest.param(merchant(), dict(CUTS, escalation_rate=(0.1,)),
                     "escalation_rate: need 5 cut points", id="wrong-cut-count"),
        pytest.param(merchant(), dict(CUTS, product_rating=CUTS["product_rating"][::-1]),
                     "cut points must increase", id="cuts-reversed"),
        pytest.param(merchant(values=dict(BEST, pickup_score=101)), CUTS,
                     "pickup_score = 101 is not a 50..100 score", id="pickup-out-of-range"),
        pytest.param(merchant(adjustments=[Adjustment("brushing", dt.datetime(2026, 8, 30))]),  # noqa: DTZ001
                     CUTS, "adjustment.at must be timezone-aware", id="naive-adjustment"),
    ],
)  # fmt: skip
def test_refused_inputs(inputs: MerchantInputs, cuts: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        score_merchant(inputs, cuts, CONFIG, AS_OF)


def test_a_naive_as_of_is_refused() -> None:
    with pytest.raises(ValueError, match="as_of must be timezone-aware"):
        score_merchant(merchant(), CUTS, CONFIG, dt.datetime(2026, 9, 1))  # noqa: DTZ001


def test_inputs_decode_from_json() -> None:
    raw = (
        b'{"merchant_id":"M9","industry":"3C\\u6570\\u7801","shop_type":"flagship",'
        b'"valid_orders":40,"values":{"pickup_score":88.5,"product_rating":null},'
        b'"adjustments":[{"kind":"brushing","at":"2026-08-31T10:00:00+08:00"}]}'
    )
    inputs = msgspec.json.decode(raw, type=MerchantInputs)
    assert inputs.adjustments[0].at.utcoffset() == dt.timedelta(hours=8)
    with pytest.raises(msgspec.ValidationError, match="timezone"):
        msgspec.json.decode(raw.replace(b"+08:00", b""), type=MerchantInputs)


# ---------------------------------------------------------------- properties

VALUE = st.one_of(st.none(), st.floats(0, 5, allow_nan=False))
KINDS = ["negative_service", "brushing", "next_day_share", "remote_area_delivery"]


@given(
    values=st.fixed_dictionaries({k: VALUE for k in BEST if k != "pickup_score"}),
    pickup=st.one_of(st.none(), st.floats(50, 100)),
    orders=st.integers(0, 2000),
    kinds=st.lists(st.tuples(st.sampled_from(KINDS), st.integers(-5, 40)), max_size=12),
)
def test_any_score_is_within_50_and_100(
    values: dict[str, float | None],
    pickup: float | None,
    orders: int,
    kinds: list[tuple[str, int]],
) -> None:
    inputs = merchant(
        valid_orders=orders,
        values={**values, "pickup_score": pickup, "product_rating": 4.5},
        bad_counts=NO_BAD,
        adjustments=[Adjustment(k, AS_OF - d * DAY) for k, d in kinds],
    )
    result = score(inputs)
    assert 50 <= result.score <= 100
    assert result.score == round(result.score, 2)
    if result.stage == "formal":
        assert result.stars is not None
        assert sum(d.contribution for d in result.dimensions) == pytest.approx(
            result.explanation["weighted"], abs=0.02
        )
