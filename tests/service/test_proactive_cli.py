"""`anxin service train-proactive` and `evaluate-proactive` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
from click.testing import CliRunner

from anxin.cli.main import main
from anxin.service.proactive import FEATURES, ProactiveModel


def _run(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    return json.loads(line)


def test_train_on_a_simulated_stream_then_evaluate_with_that_model(tmp_path: Path) -> None:
    events, truth, model = tmp_path / "e.jsonl", tmp_path / "t.jsonl", tmp_path / "m.json"
    args = ["simulate", "--scale", "tiny", "--seed", "5", "--out", str(events), "--truth",
            str(truth)]  # fmt: skip
    CliRunner().invoke(main, args, catch_exceptions=False)
    got = _run("service", "train-proactive", str(events), "--out", str(model),
               "--split-day", "2026-10-05")  # fmt: skip
    assert got["orders_with_help"] > 0
    assert 0.5 < got["held_out_auc"] <= 1.0  # type: ignore[operator]
    trained = msgspec.json.decode(model.read_bytes(), type=ProactiveModel)
    assert trained.features == FEATURES
    assert trained.trained_on["split_day"] == "2026-10-05"
    figures = _run("service", "evaluate-proactive", "--scale", "tiny", "--model", str(model))
    for key in ("reach", "help_requests_per_1000_without", "help_requests_per_1000_with",
                "reduction"):  # fmt: skip
        assert key in figures
    assert figures["help_requests_per_1000_with"] < figures["help_requests_per_1000_without"]  # type: ignore[operator]


def test_evaluate_with_the_shipped_model_reaches_most_of_the_tiny_world() -> None:
    figures = _run("service", "evaluate-proactive", "--scale", "tiny", "--seed", "2")
    assert figures["model"]
    assert figures["reach"] >= 0.7  # type: ignore[operator]  # 0.91 when written
    assert figures["reduction"] >= 0.5  # type: ignore[operator]  # 0.71 when written
    assert figures["messages_per_1000"] < 1000  # type: ignore[operator]  # not everyone
