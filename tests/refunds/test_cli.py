"""``anxin refunds …`` and ``anxin bench refunds``: exit 0, exactly one JSON line each, with
the documented keys (``train`` is exercised by the session's model fixtures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.refunds.conftest import TRAIN_DAYS, SmallWorld, cli, one_json_line


def test_train_prints_its_line(model: tuple[Path, dict[str, Any]]) -> None:
    path, line = model
    assert set(line) == {"model", "version", "train_rows", "train_positives", "train_days",
                         "seed"}  # fmt: skip
    assert (line["model"], line["train_days"], line["seed"]) == (str(path), TRAIN_DAYS, 1)


def test_evaluate_on_the_held_out_days(
    world: SmallWorld, model: tuple[Path, dict[str, Any]]
) -> None:
    out = one_json_line(cli("refunds", "evaluate", str(world.events), str(world.truth),
                            "--model", str(model[0]), "--train-days", str(TRAIN_DAYS)))  # fmt: skip
    assert {"coverage", "loss_rate", "auc", "sweep"} <= set(out)
    assert out["model_version"] == model[1]["version"]
    assert out["held_out_from_day"] == TRAIN_DAYS
    held_out = [r for r in world.data.rows if r.day >= TRAIN_DAYS]
    money = [r for r in held_out if r.request.kind in ("refund_only", "return_refund")]
    assert out["requests"] == len(money) > 0  # exchanges ask for no money
    assert 0.0 <= out["coverage"] <= 1.0
    assert 0.0 <= out["loss_rate"] <= 1.0
    assert out["instant"] == round(out["coverage"] * out["requests"])
    assert 0.5 < out["auc"] <= 1.0  # better than chance on ten times the usual abusers
    assert out["sweep"]
    assert all({"coverage", "loss_rate"} <= set(p) for p in out["sweep"])


def test_project_decide_and_shadow_report(
    world: SmallWorld,
    world_db: str,
    model: tuple[Path, dict[str, Any]],
    candidate: tuple[Path, dict[str, Any]],
    tmp_path: Path,
) -> None:
    projected = one_json_line(cli("--db", world_db, "refunds", "project"))
    assert set(projected) == {"rows", "consumers", "through_seq"}
    assert projected["rows"] > projected["consumers"] > 0
    assert projected["through_seq"] > 0

    request = world.requests[len(world.requests) // 2]
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    args = ("--db", world_db, "refunds", "decide", str(path), "--model", str(model[0]))
    decided = one_json_line(cli(*args, "--candidate-model", str(candidate[0])))
    assert {"outcome", "refund_at", "score", "rules_hit", "top_features", "pack",
            "pack_version", "model_version", "decision_id"} <= set(decided)  # fmt: skip
    assert (decided["aftersale_id"], decided["shadow"]) == (request["aftersale_id"], False)
    assert decided["model_version"] == model[1]["version"]
    assert one_json_line(cli(*args))["decision_id"] == decided["decision_id"]  # replayed

    report = one_json_line(cli("--db", world_db, "refunds", "shadow-report"))
    assert {"requests", "labelled", "agreement", "live", "candidate"} == set(report)
    assert report["requests"] >= 1


def test_bench_refunds_prints_its_line() -> None:
    out = one_json_line(cli("bench", "refunds", "--orders", "400", "--decisions", "200"))
    for name in ("p99_ms", "p99_ms_with_write", "http_decisions_per_s", "bare_per_s", "ratio"):
        assert isinstance(out[name], (int, float)), (name, out)
        assert out[name] > 0, (name, out)
    assert out["decisions"] == 200
    assert out["requests"] > 0
