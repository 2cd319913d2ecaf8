"""Amazon seller-performance rates, the 0–1000 health model and TikTok Shop's SPS: every target
exactly at and just past its boundary, every window's edges ([start, as_of)), the health bands,
SPS's delivered-orders minimum, and the same sums on DuckDB and SQLite."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import ibis
import msgspec
import pytest
import sqlalchemy as sa

from anxin.application import load_policy
from anxin.clock import to_us
from anxin.score.amazon import (
    SPS_DELIVERED,
    band_of,
    rate_column,
    seller_metrics,
    seller_sums,
    sps_column,
    sum_columns,
)
from anxin.score.amazon_config import SellerMetricsConfig
from anxin.score.metrics import DAY_US, collect
from anxin.store.schema import score_orders

PACK = load_policy("amazon").latest
_config = PACK.rule("seller_metrics")
assert isinstance(_config, SellerMetricsConfig)
CONFIG: SellerMetricsConfig = _config
AS_OF = to_us(dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC))


def sums(**given: int) -> dict[str, int]:
    """Every column zero, except ``given`` (``name=(num, den)`` is spelled name_num, name_den)."""
    out = dict.fromkeys(sum_columns(CONFIG), 0)
    for key, value in given.items():
        assert key in out, key
        out[key] = value
    return out


def rate(metric: str, days: int, num: int, den: int) -> dict[str, int]:
    prefix = rate_column(metric, days)
    return {f"{prefix}_num": num, f"{prefix}_den": den}


def sps_rate(metric: str, num: int, den: int) -> dict[str, int]:
    return {f"{sps_column(metric)}_num": num, f"{sps_column(metric)}_den": den}


# ------------------------------------------------------------------ targets (pure)

TARGETS = [
    # metric, window, numerator, denominator, passes, percent shown
    ("order_defect", 60, 1, 100, False, "1.0000"),  # exactly 1 %: "< 1 %" fails
    ("order_defect", 60, 99, 10_000, True, "0.9900"),
    ("order_defect", 60, 99_999, 10_000_000, True, "1.0000"),  # 0.99999 %: shown rounded
    ("order_defect", 60, 101, 10_000, False, "1.0100"),
    ("late_shipment", 10, 4, 100, False, "4.0000"),
    ("late_shipment", 10, 399, 10_000, True, "3.9900"),
    ("late_shipment", 30, 4, 100, False, "4.0000"),
    ("late_shipment", 30, 399, 10_000, True, "3.9900"),
    ("pre_fulfilment_cancel", 7, 25, 1_000, False, "2.5000"),
    ("pre_fulfilment_cancel", 7, 249, 10_000, True, "2.4900"),
    ("valid_tracking", 30, 95, 100, True, "95.0000"),  # "≥ 95 %": exactly 95 % passes
    ("valid_tracking", 30, 9_499, 10_000, False, "94.9900"),
    ("on_time_delivery", 30, 90, 100, False, "90.0000"),  # "> 90 %": exactly 90 % fails
    ("on_time_delivery", 30, 901, 1_000, True, "90.1000"),
    ("order_defect", 60, 0, 0, None, None),  # nothing to measure: neither passes nor fails
    ("valid_tracking", 30, 0, 0, None, None),
]


@pytest.mark.parametrize(("metric", "days", "num", "den", "passes", "shown"), TARGETS)
def test_target_boundaries(
    metric: str, days: int, num: int, den: int, passes: bool | None, shown: str | None
) -> None:
    health = seller_metrics(sums(**rate(metric, days, num, den)), CONFIG)
    row = next(r for r in health.rates if (r.metric, r.window_days) == (metric, days))
    assert (row.numerator, row.denominator) == (num, den)
    assert row.passed is passes
    assert row.percent == (None if shown is None else Decimal(shown))
    assert (row.penalty > 0) is (passes is False)
    others = [r for r in health.rates if r is not row]
    assert all(r.passed is None for r in others)


def test_shown_percent_rounds_but_pass_fail_is_exact() -> None:
    # 0.99999 % shows as 1.0000 % yet passes "< 1 %"; 1.00001 % shows 1.0000 % and fails.
    under = seller_metrics(sums(**rate("order_defect", 60, 99_999, 10_000_000)), CONFIG)
    over = seller_metrics(sums(**rate("order_defect", 60, 100_001, 10_000_000)), CONFIG)
    assert under.rates[0].percent == over.rates[0].percent == Decimal("1.0000")
    assert under.rates[0].passed is True
    assert over.rates[0].passed is False


# ------------------------------------------------------------------ health and bands

HEALTH = [
    # ODR alone: penalty 600 + 250 per percentage point past 1 %, at most 1000.
    (0, 100, 1000, "healthy"),
    (1, 100, 400, "healthy"),  # exactly at target fails: 600
    (18, 1_000, 200, "healthy"),  # 1.8 %: 800
    (18_001, 1_000_000, 199, "at_risk"),  # 1.8001 %: 800.025, health rounded down
    (22, 1_000, 100, "at_risk"),  # 2.2 %: 900
    (22_001, 1_000_000, 99, "critical"),  # 2.2001 %: 900.025
    (1, 10, 0, "critical"),  # 10 %: capped at 1000
]


@pytest.mark.parametrize(("num", "den", "health", "band"), HEALTH)
def test_health_from_order_defects(num: int, den: int, health: int, band: str) -> None:
    result = seller_metrics(sums(**rate("order_defect", 60, num, den)), CONFIG)
    assert (result.health, result.band) == (health, band)


@pytest.mark.parametrize(
    ("health", "band"),
    [(1000, "healthy"), (200, "healthy"), (199, "at_risk"), (100, "at_risk"),
     (99, "critical"), (0, "critical")],
)  # fmt: skip
def test_band_boundaries(health: int, band: str) -> None:
    assert band_of(health, CONFIG) == band


def test_worst_window_costs_once_and_metrics_add_up() -> None:
    given = rate("late_shipment", 10, 10, 100)  # 10 %: 150 + 25 × 6 = 300
    given |= rate("late_shipment", 30, 5, 100)  # 5 %: 175, not added on top
    given |= rate("valid_tracking", 30, 90, 100)  # 90 %: 50 + 10 × 5 = 100
    given |= rate("on_time_delivery", 30, 100, 100)  # passes: nothing
    result = seller_metrics(sums(**given), CONFIG)
    assert result.explanation["health"]["penalties"]["late_shipment"] == "300.00"
    assert [r.penalty for r in result.rates if r.metric == "late_shipment"] == [
        Decimal("300.00"),
        Decimal("175.00"),
    ]
    assert (result.health, result.band) == (600, "healthy")


def test_everything_failing_floors_at_zero() -> None:
    given: dict[str, int] = {}
    for metric, days, num in [
        ("order_defect", 60, 50), ("late_shipment", 10, 50), ("late_shipment", 30, 50),
        ("pre_fulfilment_cancel", 7, 50), ("valid_tracking", 30, 0), ("on_time_delivery", 30, 0),
    ]:  # fmt: skip
        given |= rate(metric, days, num, 100)
    result = seller_metrics(sums(**given), CONFIG)
    assert (result.health, result.band) == (0, "critical")
    assert all(r.passed is False for r in result.rates)


def test_explanation_names_rule_pack_and_inputs() -> None:
    given = sums(**rate("order_defect", 60, 1, 100))
    result = seller_metrics(
        given, CONFIG, merchant_id="m1", as_of_us=AS_OF, pack=PACK.name, pack_version=PACK.version
    )
    why = result.explanation
    assert (why["rule"], why["pack"], why["pack_version"]) == (
        "seller_metrics",
        "amazon",
        "2016-01-01",
    )
    assert why["as_of"] == "2026-11-24T12:00:00+00:00"
    assert why["inputs"] == given
    assert why["rates"]["order_defect_60d"] == {"percent": "1.0000", "passed": False}
    assert why["health"]["score"] == 400
    msgspec.json.encode(why)  # plain JSON, ready to store


def test_missing_or_inconsistent_sums_are_refused() -> None:
    partial = sums()
    del partial["order_defect_60d_num"]
    with pytest.raises(KeyError, match="order_defect_60d_num"):
        seller_metrics(partial, CONFIG)
    with pytest.raises(ValueError, match="exceeds"):
        seller_metrics(sums(**rate("order_defect", 60, 2, 1)), CONFIG)


# ------------------------------------------------------------------ SPS (pure)

PERFECT = (
    sps_rate("negative_review", 0, 100)
    | sps_rate("seller_fault_return", 0, 100)
    | sps_rate("seller_fault_cancel", 0, 100)
    | sps_rate("on_time_delivery", 100, 100)
)


@pytest.mark.parametrize(("delivered", "shown"), [(0, None), (29, None), (30, Decimal("5.0"))])
def test_sps_needs_30_delivered_orders(delivered: int, shown: Decimal | None) -> None:
    result = seller_metrics(sums(**PERFECT, **{SPS_DELIVERED: delivered}), CONFIG)
    assert result.sps == shown
    assert result.explanation["sps"]["shown"] is (shown is not None)
    assert len(result.sps_parts) == 4  # the parts are reported either way


@pytest.mark.parametrize(
    ("negative", "score"),
    [
        (119, Decimal("4.7")),  # 1.19 %: step 4 → (30×4 + 70×5) / 100
        (120, Decimal("3.9")),  # 1.2 %: step 3 → 4.4, capped: ≥ 4 needs < 1.2 %
        (49, Decimal("5.0")),  # 0.49 %: step 5
        (50, Decimal("4.7")),  # 0.5 %: step 4
        (500, Decimal("3.5")),  # 5 %: step 0 → 3.5, under the cap anyway
    ],
)
def test_sps_negative_review_steps_and_cap(negative: int, score: Decimal) -> None:
    given = PERFECT | sps_rate("negative_review", negative, 10_000) | {SPS_DELIVERED: 30}
    assert seller_metrics(sums(**given), CONFIG).sps == score


@pytest.mark.parametrize(
    ("on_time", "step"), [(97, 5), (9_699, 4), (95, 4), (90, 3), (8_999, 2), (79, 0)]
)
def test_sps_on_time_steps_include_their_limit(on_time: int, step: int) -> None:
    den = 100 if on_time <= 100 else 10_000
    only = sps_rate("on_time_delivery", on_time, den) | {SPS_DELIVERED: 30}
    result = seller_metrics(sums(**only), CONFIG)  # the other rates have no orders: left out
    assert result.sps == Decimal(step).quantize(Decimal("0.1"))


def test_sps_without_config_is_none() -> None:
    plain = msgspec.structs.replace(CONFIG, sps=None)
    given = dict.fromkeys(sum_columns(plain), 0)
    result = seller_metrics(given, plain)
    assert (result.sps, result.sps_parts, result.explanation["sps"]) == (None, [], None)


# ------------------------------------------------------------------ config checks


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: msgspec.structs.replace(c, metrics={}), "at least one"),
        (
            lambda c: msgspec.structs.replace(
                c, health=msgspec.structs.replace(
                    c.health, bands=msgspec.structs.replace(c.health.bands, at_risk=200)
                )
            ),
            "bands",
        ),
        (lambda c: msgspec.structs.replace(c, seller_fault_reasons=[]), "reason"),
    ],
)  # fmt: skip
def test_config_check_refuses(change: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        change(CONFIG).check("USD")


def test_config_check_refuses_disordered_sps_steps() -> None:
    assert CONFIG.sps is not None
    metric = CONFIG.sps.metrics["on_time_delivery"]
    steps = [metric.steps[1], metric.steps[0], *metric.steps[2:]]
    bad = msgspec.structs.replace(
        CONFIG,
        sps=msgspec.structs.replace(
            CONFIG.sps,
            metrics=CONFIG.sps.metrics
            | {"on_time_delivery": msgspec.structs.replace(metric, steps=steps)},
        ),
    )
    with pytest.raises(ValueError, match="limits must run"):
        bad.check("USD")


# ------------------------------------------------------------------ sums on the engines

D = DAY_US
BASE: dict[str, Any] = {c.name: None for c in score_orders.columns}
BASE |= {
    "paid_at_us": AS_OF - 400 * D,  # outside every window unless a case moves it
    "valid": 1, "amount_paid": 1_000, "merchant_cancelled": 0, "tracked": 0,
    "anomaly_or_fraud": 0, "logistics_finding": 0, "remote": 0, "sought_help": 0, "escalated": 0,
}  # fmt: skip
SHIP_BY = AS_OF - 10 * D  # the 10-day late-shipment window's first instant
DELIVER_BY = AS_OF - 30 * D  # the 30-day on-time window's first instant


def r(**override: Any) -> dict[str, Any]:
    """One order's columns that differ from BASE."""
    return override


# merchant: (rows as overrides of BASE, {column: expected})
CASES: dict[str, tuple[list[dict[str, Any]], dict[str, int]]] = {
    # ODR, 60 days on the payment: the first instant counts, as_of does not.
    "odr_start": ([r(paid_at_us=AS_OF - 60 * D)], {"order_defect_60d_den": 1}),
    "odr_before": ([r(paid_at_us=AS_OF - 60 * D - 1)], {"order_defect_60d_den": 0}),
    "odr_last": ([r(paid_at_us=AS_OF - 1)], {"order_defect_60d_den": 1}),
    "odr_as_of": ([r(paid_at_us=AS_OF)], {"order_defect_60d_den": 0}),
    "odr_1star": (
        [r(paid_at_us=AS_OF - D, rating=1, rated_at_us=AS_OF - 1)],
        {"order_defect_60d_num": 1},
    ),
    "odr_2star": (
        [r(paid_at_us=AS_OF - D, rating=2, rated_at_us=AS_OF - 1)],
        {"order_defect_60d_num": 1},
    ),
    "odr_3star": (
        [r(paid_at_us=AS_OF - D, rating=3, rated_at_us=AS_OF - 1)],
        {"order_defect_60d_num": 0, "order_defect_60d_den": 1},
    ),
    "odr_rated_at_as_of": (
        [r(paid_at_us=AS_OF - D, rating=1, rated_at_us=AS_OF)],
        {"order_defect_60d_num": 0},
    ),
    "odr_claim": (
        [r(paid_at_us=AS_OF - D, claim_at_us=AS_OF - 1)],
        {"order_defect_60d_num": 1},
    ),
    "odr_claim_at_as_of": (
        [r(paid_at_us=AS_OF - D, claim_at_us=AS_OF)],
        {"order_defect_60d_num": 0},
    ),
    "odr_both_once": (
        [r(paid_at_us=AS_OF - D, rating=1, rated_at_us=AS_OF - 2, claim_at_us=AS_OF - 1)],
        {"order_defect_60d_num": 1, "order_defect_60d_den": 1},
    ),
    # LSR, 10 and 30 days on the ship-by; shipped exactly at the ship-by is on time.
    "lsr_at_ship_by": (
        [r(ship_by_us=SHIP_BY, shipped_at_us=SHIP_BY)],
        {"late_shipment_10d_num": 0, "late_shipment_10d_den": 1, "late_shipment_30d_den": 1},
    ),
    "lsr_just_late": (
        [r(ship_by_us=SHIP_BY, shipped_at_us=SHIP_BY + 1)],
        {"late_shipment_10d_num": 1, "late_shipment_10d_den": 1},
    ),
    "lsr_before_window": (
        [r(ship_by_us=SHIP_BY - 1, shipped_at_us=SHIP_BY + 1)],
        {"late_shipment_10d_den": 0, "late_shipment_30d_num": 1, "late_shipment_30d_den": 1},
    ),
    "lsr_due_at_as_of": ([r(ship_by_us=AS_OF)], {"late_shipment_10d_den": 0}),
    "lsr_unshipped": ([r(ship_by_us=AS_OF - 1)], {"late_shipment_10d_num": 1}),
    "lsr_shipped_after_as_of": (
        [r(ship_by_us=AS_OF - 1, shipped_at_us=AS_OF + D)],
        {"late_shipment_10d_num": 1},
    ),
    "lsr_cancelled_unshipped": (
        [r(ship_by_us=AS_OF - D, cancelled_at_us=AS_OF - 1)],
        {"late_shipment_10d_num": 0, "late_shipment_10d_den": 0},
    ),
    "lsr_cancelled_after_as_of": (
        [r(ship_by_us=AS_OF - D, cancelled_at_us=AS_OF)],
        {"late_shipment_10d_num": 1, "late_shipment_10d_den": 1},
    ),
    # PFCR, 7 days on the payment; the cancellation must be known at as_of.
    "pfcr_start": (
        [r(paid_at_us=AS_OF - 7 * D, merchant_cancelled=1, cancelled_at_us=AS_OF - 1)],
        {"pre_fulfilment_cancel_7d_num": 1, "pre_fulfilment_cancel_7d_den": 1},
    ),
    "pfcr_cancel_at_as_of": (
        [r(paid_at_us=AS_OF - D, merchant_cancelled=1, cancelled_at_us=AS_OF)],
        {"pre_fulfilment_cancel_7d_num": 0, "pre_fulfilment_cancel_7d_den": 1},
    ),
    "pfcr_buyer_cancel": (
        [r(paid_at_us=AS_OF - D, cancelled_at_us=AS_OF - 1)],
        {"pre_fulfilment_cancel_7d_num": 0, "pre_fulfilment_cancel_7d_den": 1},
    ),
    # VTR, 30 days on the shipment.
    "vtr_start": (
        [r(shipped_at_us=AS_OF - 30 * D, tracked=1), r(shipped_at_us=AS_OF - 1)],
        {"valid_tracking_30d_num": 1, "valid_tracking_30d_den": 2},
    ),
    "vtr_as_of": ([r(shipped_at_us=AS_OF, tracked=1)], {"valid_tracking_30d_den": 0}),
    # OTDR, 30 days on the promised delivery; signed exactly at it is on time.
    "otd_at_deliver_by": (
        [r(deliver_by_us=DELIVER_BY, signed_at_us=DELIVER_BY)],
        {"on_time_delivery_30d_num": 1, "on_time_delivery_30d_den": 1},
    ),
    "otd_just_late": (
        [r(deliver_by_us=DELIVER_BY, signed_at_us=DELIVER_BY + 1)],
        {"on_time_delivery_30d_num": 0, "on_time_delivery_30d_den": 1},
    ),
    "otd_due_at_as_of": ([r(deliver_by_us=AS_OF)], {"on_time_delivery_30d_den": 0}),
    "otd_never_signed": ([r(deliver_by_us=AS_OF - 1)], {"on_time_delivery_30d_den": 1}),
    "otd_cancelled": (
        [r(deliver_by_us=AS_OF - 1, cancelled_at_us=AS_OF - D)],
        {"on_time_delivery_30d_den": 0},
    ),
    # SPS: delivered orders over 90 days; reviews and returns over 60 days on the signature.
    "sps_delivered_edges": (
        [
            r(signed_at_us=AS_OF - 90 * D),
            r(signed_at_us=AS_OF - 90 * D - 1),
            r(signed_at_us=AS_OF),
        ],
        {SPS_DELIVERED: 1},
    ),
    "sps_negative": (
        [r(signed_at_us=AS_OF - 60 * D, rating=2, rated_at_us=AS_OF - 1)],
        {"sps_negative_review_num": 1, "sps_negative_review_den": 1, SPS_DELIVERED: 1},
    ),
    "sps_returns": (
        [
            r(signed_at_us=AS_OF - D, first_reason="quality", aftersale_at_us=AS_OF - 1),
            r(signed_at_us=AS_OF - D, first_reason="other", aftersale_at_us=AS_OF - 1),
            r(signed_at_us=AS_OF - D, first_reason="logistics", aftersale_at_us=AS_OF),
        ],
        {"sps_seller_fault_return_num": 1, "sps_seller_fault_return_den": 3},
    ),
    "sps_cancel_30d": (
        [r(paid_at_us=AS_OF - 30 * D, merchant_cancelled=1, cancelled_at_us=AS_OF - D)],
        {"sps_seller_fault_cancel_num": 1, "pre_fulfilment_cancel_7d_den": 0},
    ),
}


def _rows() -> list[dict[str, Any]]:
    rows = []
    for merchant, (overrides, _) in CASES.items():
        for i, override in enumerate(overrides):
            rows.append(BASE | {"order_id": f"{merchant}-{i}", "merchant_id": merchant} | override)
    return rows


def _schema() -> ibis.Schema:
    def kind(column: sa.Column[Any]) -> str:
        return "int64" if isinstance(column.type, sa.Integer) else "string"

    return ibis.schema({c.name: kind(c) for c in score_orders.columns})


def _run(con: Any, config: SellerMetricsConfig) -> dict[str, dict[str, int]]:
    orders = con.create_table(
        "score_orders", ibis.memtable(_rows(), schema=_schema()), overwrite=True
    )
    return collect(seller_sums(orders, AS_OF, config), sum_columns(config))


@pytest.fixture(scope="module")
def engines() -> dict[str, dict[str, dict[str, int]]]:
    duck, lite = ibis.duckdb.connect(), ibis.sqlite.connect()
    try:
        return {"duckdb": _run(duck, CONFIG), "sqlite": _run(lite, CONFIG)}
    finally:
        duck.disconnect()
        lite.disconnect()


def test_duckdb_and_sqlite_agree_exactly(engines: dict[str, dict[str, dict[str, int]]]) -> None:
    assert set(engines["duckdb"]) == set(CASES)
    assert engines["duckdb"] == engines["sqlite"]


@pytest.mark.parametrize("merchant", list(CASES))
def test_window_edges(merchant: str, engines: dict[str, dict[str, dict[str, int]]]) -> None:
    _, expected = CASES[merchant]
    got = engines["duckdb"][merchant]
    assert {c: got[c] for c in expected} == expected


def test_lag_shifts_the_window_end() -> None:
    """A 14-day lag: the window is [as_of − 44 d, as_of − 14 d)."""
    vtr = msgspec.structs.replace(CONFIG.metrics["valid_tracking"], lag_days=14)
    lagged = msgspec.structs.replace(CONFIG, metrics={"valid_tracking": vtr}, sps=None)
    rows = [
        BASE | {"order_id": "a", "merchant_id": "m", "shipped_at_us": AS_OF - 44 * D},
        BASE | {"order_id": "b", "merchant_id": "m", "shipped_at_us": AS_OF - 14 * D - 1},
        BASE | {"order_id": "c", "merchant_id": "m", "shipped_at_us": AS_OF - 14 * D},
        BASE | {"order_id": "d", "merchant_id": "m", "shipped_at_us": AS_OF - 44 * D - 1},
    ]
    con = ibis.duckdb.connect()
    try:
        orders = con.create_table("score_orders", ibis.memtable(rows, schema=_schema()))
        got = collect(seller_sums(orders, AS_OF, lagged), sum_columns(lagged))
    finally:
        con.disconnect()
    assert got == {"m": {"valid_tracking_30d_num": 0, "valid_tracking_30d_den": 2}}


def test_engine_sums_feed_the_pure_half(engines: dict[str, dict[str, dict[str, int]]]) -> None:
    result = seller_metrics(engines["sqlite"]["odr_both_once"], CONFIG, merchant_id="odr_both_once")
    odr = next(r for r in result.rates if r.metric == "order_defect")
    assert (odr.percent, odr.passed) == (Decimal("100.0000"), False)
    assert result.health == 0
