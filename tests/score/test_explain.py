"""Explaining a score: the stored explanation and history, and the orders behind each rate
(the same sets the engine counts)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from anxin.application import load_policy
from anxin.cli.main import main
from anxin.clock import to_us
from anxin.score import metrics
from anxin.score.engines import open_source
from anxin.score.run import ladder, score_config

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("explain")
    db = str(root / "x.db")
    runner = CliRunner()
    for args in (
        ["simulate", "--scale", "tiny", "--out", str(root / "e.jsonl"),
         "--truth", str(root / "t.jsonl")],
        ["--db", db, "ingest", str(root / "e.jsonl"), "--now", "2026-10-20T00:00:00+08:00"],
        ["--db", db, "score", "--as-of", "2026-10-07"],
        ["--db", db, "score", "--as-of", "2026-10-08", "--no-rebuild"],
    ):  # fmt: skip
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    return db


def test_the_orders_behind_each_rate_are_the_ones_summed(store: str) -> None:
    pack = load_policy("douyin").versions[-1]
    config = score_config(pack)
    rungs, worst = ladder(config)
    bad = config.bad_rating_max_stars
    as_of = to_us(dt.datetime(2026, 10, 8, tzinfo=CST))
    with open_source("sqlite", db=store) as source:
        sums = metrics.collect(
            metrics.order_sums(source.orders, as_of, 30, rungs, worst, bad_stars=bad),
            metrics.ORDER_COLUMNS,
        )
        merchant = max(sums, key=lambda m: sums[m]["valid_orders"])
        checks = {
            "product_rating": ("rated", "bad_ratings"),
            "quality_return_rate": ("signed", "quality_returns"),
            "pickup_score": ("pickup_orders", None),
            "on_time_delivery_rate": ("deliveries_due", "deliveries_on_time"),
            "logistics_return_rate": ("valid_orders", "logistics_returns"),
            "escalation_rate": ("sought_help", "escalated"),
        }
        for indicator, (over, counted) in checks.items():
            expr = metrics.orders_behind(
                source.orders, merchant, indicator, as_of, 30, rungs, worst, bad_stars=bad
            )
            rows = expr.to_pyarrow().to_pylist()
            assert len(rows) == sums[merchant][over], indicator
            if counted:
                assert sum(r["counted"] for r in rows) == sums[merchant][counted], indicator
        pickups = metrics.orders_behind(
            source.orders, merchant, "pickup_score", as_of, 30, rungs, worst, bad_stars=bad
        )
        total = sum(r["pickup_score"] for r in pickups.to_pyarrow().to_pylist())
        assert total == sums[merchant]["pickup_total"]
        with pytest.raises(ValueError, match="not measured over orders"):
            metrics.orders_behind(
                source.orders,
                merchant,
                "chat_response_minutes",
                as_of,
                30,
                rungs,
                worst,
                bad_stars=bad,
            )


def test_explain_shows_the_score_and_its_history(store: str) -> None:
    result = CliRunner().invoke(main, ["--db", store, "score", "explain", "M00002"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["day"] == "2026-10-08"
    assert [h["day"] for h in out["history"]] == ["2026-10-07", "2026-10-08"]
    assert out["history"][0]["drop"] is None
    assert out["history"][1]["drop"] == round(
        out["history"][0]["score"] - out["history"][1]["score"], 2
    )
    score = out["score"]
    assert score["merchant_id"] == "M00002"
    assert {"stage", "score", "dimensions", "deductions", "bonuses", "explanation"} <= set(score)
    missing = CliRunner().invoke(main, ["--db", store, "score", "explain", "NOPE"])
    assert missing.exit_code != 0
    assert "no stored score" in missing.output


def test_orders_command_lists_json_lines(store: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["--db", store, "score", "orders", "M00002", "product_rating", "--as-of", "2026-10-08"],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert all({"order_id", "counted", "rating", "paid_at"} <= set(r) for r in rows)
    assert all(r["rating"] is not None for r in rows)
    assert all(r["counted"] == (1 if r["rating"] <= 2 else 0) for r in rows)


def test_the_amazon_pack_scores_seller_health(store: str) -> None:
    result = CliRunner().invoke(
        main,
        ["--pack", "amazon", "--db", store, "score", "--as-of", "2026-10-08", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(rows) == 20
    for h in rows:
        assert 0 <= h["health"] <= 1000
        assert h["band"] in ("healthy", "at_risk", "critical")
        assert {r["metric"] for r in h["rates"]} >= {"order_defect", "late_shipment"}
        assert h["explanation"]["pack"] == "amazon"


@pytest.mark.parametrize(
    ("counts", "kinds"),
    [
        ({"signed": 10, "next_day": 2, "remote_clean": 0}, ["next_day_share"]),  # exactly 20 %
        ({"signed": 10, "next_day": 1, "remote_clean": 0}, []),
        ({"signed": 0, "next_day": 0, "remote_clean": 0}, []),
        ({"signed": 5, "next_day": 0, "remote_clean": 1}, ["remote_area_delivery"]),
    ],
)
def test_bonuses_earned(counts: dict[str, int], kinds: list[str]) -> None:
    from anxin.score.run import bonuses_earned

    config = score_config(load_policy("douyin").versions[-1])
    as_of = dt.datetime(2026, 10, 8, tzinfo=CST)
    earned = bonuses_earned(counts, config, as_of)
    assert [a.kind for a in earned] == kinds
    assert all(a.at < as_of for a in earned)
