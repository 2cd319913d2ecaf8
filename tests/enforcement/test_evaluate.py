"""The enforcement evaluator: hand-written violation rows against a hand-written truth file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from anxin.enforcement.config import VIOLATION_TYPES
from anxin.enforcement.evaluate import evaluate, planted, score
from anxin.store.schema import violations

TRUTH = [
    {"kind": "merchant", "merchant_id": "M1", "industry": "apparel", "shop_type": "other",
     "province": "浙江", "country": "CN", "carriers": ["SF"], "behaviour": {}},
    {"kind": "violator", "merchant_id": "M1", "violation": "false_inventory",
     "behaviour": {"size": 7.3, "out_of_stock_rate": 0.45}},
    {"kind": "violator", "merchant_id": "M2", "violation": "false_inventory", "behaviour": {}},
    {"kind": "violator", "merchant_id": "M3", "violation": "fraud_shipping", "behaviour": {}},
    {"kind": "violator", "merchant_id": "M4", "violation": "overdue_tickets", "behaviour": {}},
    {"kind": "order", "order_id": "O1", "merchant_id": "M9",
     "promised_due": "2026-10-02T23:59:59+08:00", "promise_source": "default"},
]  # fmt: skip


def row(merchant: str, kind: str, day: str, status: str = "active", tier: str = "") -> dict:
    return {
        "violation_id": f"{merchant}:{kind}:{tier}:{day}",
        "merchant_id": merchant,
        "type": kind,
        "tier": tier,
        "day": day,
        "nth": 1,
        "period": "2026",
        "status": status,
        "noticed_at_us": 0,
        "appeal_by_us": 0,
        "pack": "douyin",
        "pack_version": "2026-08-10",
        "explanation": "{}",
    }


@pytest.fixture
def truth(tmp_path: Path) -> Path:
    path = tmp_path / "truth.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in TRUTH))
    return path


def test_planted_reads_only_violator_records(truth: Path) -> None:
    assert planted(truth) == {
        "false_inventory": {"M1", "M2"},
        "fraud_shipping": {"M3"},
        "overdue_tickets": {"M4"},
    }


def test_evaluate_scores_active_rows_per_merchant_and_type(
    sql_engine: sa.Engine, truth: Path
) -> None:
    rows = [
        row("M1", "false_inventory", "2026-10-03"),
        row("M1", "false_inventory", "2026-10-04"),  # a second day: still one merchant caught
        row("M1", "false_inventory", "2026-10-04", tier="x"),
        row("M5", "false_inventory", "2026-10-04"),  # not planted: a false positive
        row("M3", "fraud_shipping", "2026-10-05", status="reverted"),  # overturned: not caught
        row("M3", "late_shipment_shop", "2026-10-06", tier="zero_cap"),  # wrong type: fp
    ]
    with sql_engine.begin() as conn:
        conn.execute(sa.insert(violations), rows)
    got = evaluate(sql_engine, truth)
    types = got["types"]
    assert list(types) == list(VIOLATION_TYPES)
    assert types["false_inventory"] == {
        "planted": 2,
        "caught": 2,
        "true_positives": 1,
        "precision": 0.5,
        "recall": 0.5,
        "missed": ["M2"],
        "false_positives": ["M5"],
    }
    # planted, none caught: precision undefined, recall 0
    assert types["fraud_shipping"]["precision"] is None
    assert types["fraud_shipping"]["recall"] == 0.0
    assert types["overdue_tickets"]["recall"] == 0.0
    # caught, none planted: precision 0, recall undefined
    assert types["late_shipment_shop"]["precision"] == 0.0
    assert types["late_shipment_shop"]["recall"] is None
    # nothing either way
    assert types["negative_service"]["precision"] is None
    assert types["negative_service"]["recall"] is None
    assert got["precision_min"] == 0.0
    assert got["recall_min"] == 0.0
    assert got["planted"] == 4
    assert got["caught"] == 3


def test_evaluate_on_an_empty_store(sql_engine: sa.Engine, truth: Path) -> None:
    got = evaluate(sql_engine, truth)
    assert got["caught"] == 0
    assert got["precision_min"] is None
    assert got["recall_min"] == 0.0


@pytest.mark.parametrize(
    ("planted_", "caught_", "precision", "recall"),
    [
        ({"M1", "M2"}, {"M1", "M2"}, 1.0, 1.0),
        ({"M1", "M2", "M3"}, {"M1", "M2"}, 1.0, 2 / 3),
        ({"M1"}, {"M1", "M2", "M3", "M4"}, 0.25, 1.0),
        (set(), set(), None, None),
    ],
)
def test_score_table(
    planted_: set[str], caught_: set[str], precision: float | None, recall: float | None
) -> None:
    got = score({"false_promise": planted_}, {"false_promise": caught_})["types"]["false_promise"]
    assert got["precision"] == precision
    assert got["recall"] == recall


def test_an_unknown_type_is_scored_after_the_nine() -> None:
    got = score({}, {"brushing": {"M1"}})
    assert list(got["types"])[-1] == "brushing"
    assert got["types"]["brushing"]["precision"] == 0.0
