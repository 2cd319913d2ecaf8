"""Shared test data for the merchant score: the built-in config, cut points and a merchant."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from anxin.application import load_policy
from anxin.policy.pack import PolicyPack
from anxin.score.config import ScoreConfig
from anxin.score.formula import Adjustment, MerchantInputs

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = dt.datetime(2026, 9, 1, 8, 0, tzinfo=SHANGHAI)
DAY = dt.timedelta(days=1)
US = dt.timedelta(microseconds=1)

PACK: PolicyPack = load_policy("douyin").latest
_config = PACK.rule("merchant_score")
assert isinstance(_config, ScoreConfig)
CONFIG: ScoreConfig = _config

# Industry cut points, worst to best (higher-is-better increase, lower-is-better decrease).
CUTS: dict[str, tuple[float, ...]] = {
    "product_rating": (4.0, 4.3, 4.5, 4.7, 4.85),
    "quality_return_rate": (0.05, 0.03, 0.02, 0.012, 0.008),
    "on_time_delivery_rate": (0.80, 0.85, 0.90, 0.93, 0.96),
    "logistics_return_rate": (0.01, 0.006, 0.004, 0.002, 0.001),
    "aftersale_review_hours": (48, 36, 24, 12, 6),
    "chat_response_minutes": (10, 6, 4, 2, 1),
    "chat_dissatisfaction_rate": (0.10, 0.07, 0.05, 0.03, 0.02),
    "escalation_rate": (0.02, 0.015, 0.01, 0.006, 0.003),
}

# Every banded indicator in its best band (100), pickup 100: a merchant scoring 100 everywhere.
BEST: dict[str, float | None] = {
    "product_rating": 4.9,
    "quality_return_rate": 0.001,
    "pickup_score": 100,
    "on_time_delivery_rate": 0.99,
    "logistics_return_rate": 0.0005,
    "aftersale_review_hours": 2,
    "chat_response_minutes": 0.5,
    "chat_dissatisfaction_rate": 0.01,
    "escalation_rate": 0.001,
}

# ... and every one in its worst band (50).
WORST: dict[str, float | None] = {
    "product_rating": 3.1,
    "quality_return_rate": 0.2,
    "pickup_score": 50,
    "on_time_delivery_rate": 0.5,
    "logistics_return_rate": 0.05,
    "aftersale_review_hours": 72,
    "chat_response_minutes": 30,
    "chat_dissatisfaction_rate": 0.3,
    "escalation_rate": 0.1,
}


def merchant(**changes: Any) -> MerchantInputs:
    """A large non-flagship shop (no small-sample floor) with every indicator at 100."""
    fields: dict[str, Any] = {
        "merchant_id": "M1",
        "industry": "服饰内衣",
        "shop_type": "non_flagship",
        "valid_orders": 1000,
        "values": dict(BEST),
        "bad_counts": {},
        "adjustments": [],
        "failed_pass_line": False,
    }
    fields.update(changes)
    return MerchantInputs(**fields)


def only(*indicators: str, base: dict[str, float | None] | None = None) -> dict[str, float | None]:
    """Values with data for ``indicators`` only (the rest None)."""
    source = BEST if base is None else base
    return {k: (v if k in indicators else None) for k, v in source.items()}


def events(kind: str, *ages: dt.timedelta) -> list[Adjustment]:
    """Adjustments of one kind, each ``age`` before AS_OF."""
    return [Adjustment(kind, AS_OF - age) for age in ages]
