"""Training is reproducible from a seed: the same world and seed give the same artefact bytes
and version; another seed another version. The artefact scores without LightGBM exactly as
LightGBM does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from anxin.refunds import model as m
from tests.refunds.conftest import TRAIN_DAYS, SmallWorld, train


def test_the_same_world_and_seed_give_the_same_bytes_and_version(
    world: SmallWorld, model: tuple[Path, dict[str, Any]]
) -> None:
    path, line = model
    again, line2 = train(world, 1, "model-seed1-again.json")
    assert again.read_bytes() == path.read_bytes()
    assert line2 == {**line, "model": str(again)}
    loaded = m.load(path)
    assert loaded.version == line["version"]
    assert (loaded.meta.seed, loaded.meta.train_days) == (1, TRAIN_DAYS)
    assert loaded.meta.train_rows == line["train_rows"] > line["train_positives"] > 0


def test_another_seed_gives_another_version(
    model: tuple[Path, dict[str, Any]], candidate: tuple[Path, dict[str, Any]]
) -> None:
    (one, line1), (two, line2) = model, candidate
    assert line1["version"] != line2["version"]
    assert (line1["train_rows"], line1["train_positives"]) == (
        line2["train_rows"],
        line2["train_positives"],
    )  # the same rows: only the seed differs
    assert m.load(one).booster_text != m.load(two).booster_text  # bagging drew other rows


def test_compiled_trees_score_and_explain_as_lightgbm_does(
    world: SmallWorld, model: tuple[Path, dict[str, Any]]
) -> None:
    loaded = m.load(model[0])
    xs = [r.x for r in world.data.rows[:50]]
    for x, shap in zip(xs, m.lightgbm_contributions(loaded, xs), strict=True):
        raw, contributions = loaded.forest.contributions(x)
        assert abs(sum(shap) - raw) < 1e-9  # LightGBM's raw score (TreeSHAP + bias)
        # exact path attribution: bias + contributions is the raw score
        assert abs(loaded.forest.bias() + sum(contributions) - raw) < 1e-9
        assert loaded.score(x) == loaded.forest.sigmoid(raw)


def test_generated_trees_equal_the_list_walk_on_every_kind_of_value(
    world: SmallWorld, model: tuple[Path, dict[str, Any]]
) -> None:
    """The hot path is generated code; the list walk is its reference, including the missing
    value rules (NaN, zero) and values right at a split's threshold."""
    forest = m.load(model[0]).forest
    thresholds = sorted({v for t in forest.trees for v in t.threshold if v})
    xs = [list(r.x) for r in world.data.rows[:200]]
    for i, x in enumerate(list(xs)):
        for f in range(len(x)):
            y = list(x)
            y[f] = [float("nan"), 0.0, -1.0, thresholds[(i + f) % len(thresholds)]][(i + f) % 4]
            xs.append(y)
    for x in xs:
        raw, contributions = forest.contributions(x)
        ref_raw, ref = forest.walk(x)
        assert raw == pytest.approx(ref_raw, abs=1e-12)
        assert contributions == pytest.approx(ref, abs=1e-12)
