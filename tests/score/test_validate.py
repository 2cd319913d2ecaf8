"""`anxin score validate` on the real Olist sample: it runs, scores sellers from facts known at
the score day, and reports rank statistics (whatever they are)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from anxin.cli.main import main
from anxin.score.validate import auc, spearman


def test_rank_statistics() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    assert auc([0.9, 0.8, 0.1, 0.2], [True, True, False, False]) == 1.0
    assert auc([0.5, 0.5], [True, False]) == 0.5  # ties count half
    assert auc([1.0], [True]) is None


def test_validate_on_olist(olist_4k: tuple[Path, Path]) -> None:
    sample, _ = olist_4k
    # The export named as under ANXIN_DATA, as the README writes it.
    result = CliRunner().invoke(main, ["score", "validate", sample.name, "--as-of", "2018-01-01"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["window_days"] == 30
    # Olist sellers are small: the published score leaves them all in the growth stage (70)
    assert report["score"]["formal"] == 0
    assert report["score"]["distinct_scores"] == 1
    formula = report["formula_only"]
    assert formula["sellers"] >= 30
    assert formula["distinct_scores"] > 5
    assert -1 <= formula["spearman"] <= 1
    assert 0 <= formula["auc"] <= 1
