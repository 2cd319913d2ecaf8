"""The risk model: LightGBM over the request features, a versioned artefact.

The artefact is one JSON file: the booster (LightGBM's text format) and its metadata (features,
train days, seed, params, metrics, code version). Its ``version`` is a hash of the training
rows, the params and the code version, so the same world, seed and code always give the same
version and the same bytes (``deterministic``, one thread).

Scoring uses the compiled trees of ``anxin.refunds.trees`` (pure Python, exact: the same score
and the same per-feature contributions LightGBM's ``pred_contrib`` gives for these trees), so
the decision path imports neither LightGBM nor numpy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from anxin.refunds.features import CATEGORICAL, NAMES
from anxin.refunds.trees import Forest

# Bumped when features, labels or training change meaning: part of the model's version.
CODE_VERSION = "refunds-model-2"  # 2: refunds_90d, refunded_amount_90d filled

PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 10,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.9,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_cat_to_onehot": 16,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbose": -1,
}
ROUNDS = 200


class ModelMeta(msgspec.Struct, kw_only=True):
    version: str
    code_version: str
    features: list[str]
    categorical: list[str]
    seed: int
    params: dict[str, Any]
    rounds: int
    train_days: int
    train_rows: int
    train_positives: int
    world: str = ""
    metrics: dict[str, Any] = {}


class Artefact(msgspec.Struct, kw_only=True):
    meta: ModelMeta
    booster: str  # LightGBM's model text


@dataclass(frozen=True)
class Model:
    meta: ModelMeta
    forest: Forest
    booster_text: str

    @property
    def version(self) -> str:
        return self.meta.version

    def score(self, x: Sequence[float]) -> float:
        return self.forest.probability(x)

    def explain(self, x: Sequence[float], top: int = 5) -> tuple[float, list[tuple[str, float]]]:
        """(abuse probability, the ``top`` features by absolute contribution to the log-odds)."""
        raw, contrib = self.forest.contributions(x)
        ranked = sorted(
            ((n, c) for n, c in zip(NAMES, contrib, strict=True) if c != 0.0),
            key=lambda nc: (-abs(nc[1]), nc[0]),
        )
        return self.forest.sigmoid(raw), [(n, round(c, 4)) for n, c in ranked[:top]]


def version_of(xs: Sequence[Sequence[float]], ys: Sequence[int], seed: int) -> str:
    h = hashlib.sha256()
    h.update(msgspec.json.encode([CODE_VERSION, PARAMS, ROUNDS, seed, list(NAMES)]))
    h.update(msgspec.json.encode([list(x) for x in xs]))
    h.update(msgspec.json.encode(list(ys)))
    return h.hexdigest()[:16]


def train(
    xs: Sequence[Sequence[float]],
    ys: Sequence[int],
    *,
    seed: int,
    train_days: int,
    world: str = "",
) -> Model:
    import lightgbm as lgb
    import numpy as np

    params = {**PARAMS, "seed": seed}
    data = lgb.Dataset(
        np.asarray(xs, dtype=np.float64),
        label=np.asarray(ys, dtype=np.float64),
        feature_name=list(NAMES),
        categorical_feature=list(CATEGORICAL),
        free_raw_data=True,
    )
    booster = lgb.train(params, data, num_boost_round=ROUNDS)
    text = booster.model_to_string()
    meta = ModelMeta(
        version=version_of(xs, ys, seed),
        code_version=CODE_VERSION,
        features=list(NAMES),
        categorical=list(CATEGORICAL),
        seed=seed,
        params=params,
        rounds=ROUNDS,
        train_days=train_days,
        train_rows=len(ys),
        train_positives=int(sum(ys)),
        world=world,
    )
    return Model(meta, Forest.from_dump(booster.dump_model()), text)


def save(model: Model, path: str | Path) -> None:
    import lightgbm as lgb

    dump = lgb.Booster(model_str=model.booster_text).dump_model()
    body = {"meta": model.meta, "booster": model.booster_text, "trees": dump}
    Path(path).write_bytes(msgspec.json.encode(body))


class _Stored(msgspec.Struct):
    meta: ModelMeta
    booster: str
    trees: dict[str, Any]


def load(path: str | Path) -> Model:
    """The artefact at ``path``, without importing LightGBM (the trees are stored compiled)."""
    stored = msgspec.json.decode(Path(path).read_bytes(), type=_Stored)
    return Model(stored.meta, Forest.from_dump(stored.trees), stored.booster)


def lightgbm_contributions(model: Model, xs: Sequence[Sequence[float]]) -> list[list[float]]:
    """LightGBM's own ``pred_contrib`` (SHAP values, bias last), for checking the compiled
    trees' explanations against it."""
    import lightgbm as lgb
    import numpy as np

    booster = lgb.Booster(model_str=model.booster_text)
    out = booster.predict(np.asarray(xs, dtype=np.float64), pred_contrib=True)
    return [list(map(float, row)) for row in out]
