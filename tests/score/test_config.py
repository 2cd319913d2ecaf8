"""The ``rules.merchant_score`` pack section: the built-in Douyin data, the weight fallbacks,
and precise load errors for every check."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from anxin.application import load_policy, rule_schemas
from anxin.policy.pack import PolicyError, parse_pack
from anxin.score.config import ScoreConfig
from tests.score.cases import CONFIG, PACK, SHANGHAI

# ---------------------------------------------------------------- the built-in pack


def test_the_douyin_pack_carries_the_2026_07_14_model() -> None:
    assert CONFIG.model == "2026-07-14"
    assert CONFIG.dimensions == {
        "product": ["product_rating", "quality_return_rate"],
        "logistics": ["pickup_score", "on_time_delivery_rate", "logistics_return_rate"],
        "service": [
            "aftersale_review_hours",
            "chat_response_minutes",
            "chat_dissatisfaction_rate",
            "escalation_rate",
        ],
    }
    floored = {i for i, spec in CONFIG.indicators.items() if spec.small_sample_floor}
    assert floored == {
        "product_rating",
        "quality_return_rate",
        "logistics_return_rate",
        "escalation_rate",
        "chat_dissatisfaction_rate",
    }
    assert [i for i, spec in CONFIG.indicators.items() if not spec.banded] == ["pickup_score"]
    higher = {i for i, spec in CONFIG.indicators.items() if spec.higher_is_better}
    assert higher == {"product_rating", "pickup_score", "on_time_delivery_rate"}


def test_the_section_is_in_force_from_the_2026_08_10_version() -> None:
    book = load_policy("douyin")
    pack = book.in_force(dt.datetime(2026, 9, 1, tzinfo=SHANGHAI))
    assert isinstance(pack.rule("merchant_score"), ScoreConfig)


SERVICE = ["chat_dissatisfaction_rate", "chat_response_minutes", "aftersale_review_hours"]
SERVICE += ["escalation_rate"]


@pytest.mark.parametrize(
    ("industry", "shop_type", "weights", "source"),
    [
        pytest.param("3C数码", "non_flagship", [25, 25, 25, 25], "3C数码/non_flagship", id="3c"),
        pytest.param("彩妆/仪器", "non_flagship", [35, 15, 30, 20], "彩妆/仪器/non_flagship",
                     id="makeup"),
        pytest.param("宠物食品及用品", "flagship", [15, 40, 15, 30], "宠物食品及用品/all",
                     id="pets-any-shop"),
        pytest.param("家具家装", "non_flagship", [35, 25, 15, 25], "家具家装/all", id="furniture"),
        pytest.param("护肤", "non_flagship", [20, 40, 25, 15], "护肤/non_flagship", id="skincare"),
        pytest.param("护肤", "flagship", [25, 25, 25, 25], "default/all",
                     id="skincare-flagship-falls-back"),
        pytest.param("服饰内衣", "non_flagship", [25, 25, 25, 25], "default/all", id="unlisted"),
    ],
)  # fmt: skip
def test_published_service_weights_and_fallbacks(
    industry: str, shop_type: Any, weights: list[float], source: str
) -> None:
    found, entry = CONFIG.indicator_weights("service", industry, shop_type)
    assert [found[i] for i in SERVICE] == weights
    assert f"{entry.industry}/{entry.shop_type}" == source
    assert entry.published == (source != "default/all")
    # the published entries give service only: dimensions and other indicators are defaults
    assert CONFIG.dimension_weights(industry, shop_type)[1].industry == "default"
    assert CONFIG.indicator_weights("product", industry, shop_type)[1].industry == "default"


@pytest.mark.parametrize(
    ("industry", "shop_type", "below"),
    [("服饰内衣", "flagship", 300), ("服饰内衣", "non_flagship", 500)],
)
def test_small_sample_thresholds(industry: str, shop_type: Any, below: int) -> None:
    assert CONFIG.floor_below(industry, shop_type) == below


# ---------------------------------------------------------------- load errors

Breaker = Callable[[dict[str, Any]], None]


def _section(document: dict[str, Any]) -> dict[str, Any]:
    section: dict[str, Any] = document["rules"]["merchant_score"]
    return section


def _set(path: str, value: Any) -> Breaker:
    """Set ``a.b.0.c`` inside the merchant_score section."""

    def breaker(document: dict[str, Any]) -> None:
        node: Any = _section(document)
        *parents, last = path.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return breaker


def _drop_default(document: dict[str, Any]) -> None:
    weights = _section(document)["weights"]
    weights[:] = [w for w in weights if w["industry"] != "default"]


def _duplicate_entry(document: dict[str, Any]) -> None:
    weights = _section(document)["weights"]
    weights.append(copy.deepcopy(weights[1]))


SERVICE_25 = dict.fromkeys(SERVICE, 25)
PICKUP: list[dict[str, Any]] = [
    {"up_to_hours": 24, "score": 100},
    {"up_to_hours": None, "score": 50},
]
STARS_OK: list[dict[str, Any]] = [
    {"from": 50, "to": 60, "first": "3.0", "per_points": 1},
    {"from": 61, "to": 100, "first": "4.1", "per_points": 4},
]

INVALID: list[Any] = [
    pytest.param(_set("weights.0.dimensions.product", 39),
                 r"weights\[default/all\].dimensions: weights sum to 99, not 100",
                 id="dimension-weights-sum"),
    pytest.param(_set("weights.1.indicators.service.escalation_rate", 26),
                 r"weights\[3C数码/non_flagship\].indicators.service: weights sum to 101, not 100",
                 id="service-weights-sum"),
    pytest.param(_set("weights.1.indicators.service",
                      {**SERVICE_25, "escalation_rate": None} | {"pickup_score": 25}),
                 "Expected `float`, got `null`", id="weight-null"),
    pytest.param(_set("weights.1.indicators.service",
                      {k: v for k, v in SERVICE_25.items() if k != "escalation_rate"}
                      | {"pickup_score": 25}),
                 r"indicators.service: expected weights for \['aftersale_review_hours'",
                 id="weight-for-another-dimensions-indicator"),
    pytest.param(_set("weights.0.dimensions.price", 0), "Invalid enum value 'price'",
                 id="unknown-dimension"),
    pytest.param(_set("weights.0.dimensions.product", -1), "Expected `float` >= 0",
                 id="negative-weight"),
    pytest.param(_drop_default, "need an entry with industry default", id="no-default"),
    pytest.param(_set("weights.0.indicators", {}), "must give every dimension and indicator",
                 id="default-incomplete"),
    pytest.param(_duplicate_entry, r"weights\[3C数码/non_flagship\]: duplicate entry",
                 id="duplicate-entry"),
    pytest.param(_set("bands.percentiles", [10, 25, 25, 65, 85]), "strictly increasing",
                 id="percentiles-repeat"),
    pytest.param(_set("bands.percentiles", [10, 45, 25, 65, 85]), "strictly increasing",
                 id="percentiles-decrease"),
    pytest.param(_set("bands.percentiles", [0, 25, 45, 65, 85]), r"between 0 and 100",
                 id="percentile-zero"),
    pytest.param(_set("bands.percentiles", [10, 25, 45, 65, 100]), r"between 0 and 100",
                 id="percentile-100"),
    pytest.param(_set("bands.scores", [50, 60, 70, 80, 90]), "make 6 bands, got 5 scores",
                 id="band-count"),
    pytest.param(_set("bands.scores", [50, 60, 70, 70, 90, 100]), "scores must be strictly",
                 id="band-scores-repeat"),
    pytest.param(_set("dimensions.product", ["product_rating", "no_such"]),
                 r"undefined indicators \['no_such'\]", id="undefined-indicator"),
    pytest.param(_set("dimensions.product", ["product_rating"]),
                 r"indicators \['quality_return_rate'\] belong to no dimension",
                 id="orphan-indicator"),
    pytest.param(_set("dimensions.service", ["product_rating"]), "listed twice",
                 id="indicator-twice"),
    pytest.param(_set("pickup.steps", PICKUP[:1]), "must end with up_to_hours: null",
                 id="pickup-no-open-end"),
    pytest.param(_set("pickup.steps", [PICKUP[0], {"up_to_hours": 12, "score": 90}, PICKUP[1]]),
                 "must increase", id="pickup-hours-decrease"),
    pytest.param(_set("pickup.steps", [PICKUP[1] | {"up_to_hours": 24}, PICKUP[0] | {
        "up_to_hours": None}]), "must not score higher", id="pickup-longer-scores-more"),
    pytest.param(_set("pickup.anomaly_or_fraud_score", 40), "score 40 outside 50..100",
                 id="pickup-score-range"),
    pytest.param(_set("deductions.brushing.cap", 10), "cap 10.0 is below points 15.0",
                 id="cap-below-points"),
    pytest.param(_set("deductions.brushing.dimension", "logistics"), "only a bonus may target",
                 id="deduction-on-a-dimension"),
    pytest.param(_set("bonuses.brushing", {"name": "x", "points": 1, "cap": 1}),
                 r"\['brushing'\] are both a deduction and a bonus", id="kind-in-both"),
    pytest.param(_set("clocks.chat_hours", {"start": "08:00", "end": "08:00"}),
                 "clocks.chat_hours: start and end must differ", id="empty-window"),
    pytest.param(_set("clocks.pickup_night.start", "25:00"), "Expected `str` matching",
                 id="bad-clock-time"),
    pytest.param(_set("growth.dropped_score", 75), "dropped_score must not exceed",
                 id="growth-drop-above"),
    pytest.param(_set("min_score", 100), "min_score must be below max_score", id="min-max"),
    pytest.param(_set("stars.ranges", [STARS_OK[0], STARS_OK[1] | {"from": 62}]),
                 "gap or overlap between 60 and 62", id="stars-gap"),
    pytest.param(_set("stars.ranges", [STARS_OK[0], STARS_OK[1] | {"from": 60}]),
                 "gap or overlap", id="stars-overlap"),
    pytest.param(_set("stars.ranges", [STARS_OK[0], STARS_OK[1] | {"to": 99}]),
                 "must cover 50..100", id="stars-short"),
    pytest.param(_set("stars.ranges", [STARS_OK[0], STARS_OK[1] | {"per_points": 3}]),
                 r"would display 5.4 \(> 5.0\)", id="stars-above-5"),
    pytest.param(_set("stars.icons", [{"from_display": "4.0", "icons": 4},
                                      {"from_display": "3.0", "icons": 3}]),
                 "strictly increasing", id="icons-unordered"),
    pytest.param(_set("stars.icons", [{"from_display": "3.5", "icons": 3.5}]),
                 "nothing for displays below 3.5", id="icons-start-too-high"),
    pytest.param(_set("surprise", 1), "unknown field `surprise`", id="unknown-field"),
]  # fmt: skip


@pytest.mark.parametrize(("breaker", "match"), INVALID)
def test_invalid_section_is_refused_precisely(breaker: Breaker, match: str) -> None:
    document = copy.deepcopy(dict(PACK.document))
    breaker(document)
    with pytest.raises(PolicyError, match=match) as info:
        parse_pack(document, "bad.yaml", rule_schemas())
    assert info.value.file == "bad.yaml"
    assert info.value.key.startswith("rules.merchant_score")


def test_the_unchanged_document_loads() -> None:
    pack = parse_pack(copy.deepcopy(dict(PACK.document)), "ok.yaml", rule_schemas())
    assert pack.rule("merchant_score") == CONFIG


@pytest.mark.parametrize(("share", "earned"), [(0.2, True), (0.35, True), (0.1999, False)])
def test_next_day_share_earns_its_bonus_from_20_percent(share: float, earned: bool) -> None:
    assert CONFIG.bonuses["next_day_share"].earned_by(share) is earned
    assert CONFIG.bonuses["remote_area_delivery"].earned_by(share) is False  # no share rule
