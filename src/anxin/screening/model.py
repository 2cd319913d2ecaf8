"""The screening classifier: TF-IDF character 1–3-grams (Chinese needs no segmenter) and word
n-grams over a listing's title, description, category and attributes, into a class-weighted
logistic regression over pass / needs changes / intercept. It needs the ``service`` extra
(scikit-learn, joblib): import this module only where a model is used.

A saved model is a directory like the intent model's (``anxin.service.intents``):
``pipeline.joblib`` and ``model.json`` (version, labels, params, seed, rows, sources). The pickle
executes code when loaded: load models only from trusted paths (ones you trained yourself).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from anxin.screening.labels import Label, Labelled, describe
from anxin.screening.listing import Listing
from anxin.service.intents import WORD_TOKENS, load_pipeline, save_pipeline


@dataclass(frozen=True)
class ScreenParams:
    """Chosen by 4-fold cross-validation of rules+model on the training rows only (never the
    held-out ones): see docs/screening.md."""

    char_ngrams: tuple[int, int] = (1, 3)
    word_ngrams: tuple[int, int] = (1, 2)
    c: float = 10.0
    # The model intercepts when P(intercept) reaches this; else the likelier of the other two.
    intercept_at: float = 0.7
    max_iter: int = 3000


DEFAULT_PARAMS = ScreenParams()


@dataclass(frozen=True, slots=True)
class Opinion:
    verdict: Label
    probability: float  # of that verdict
    probabilities: dict[str, float]


def text_of(x: Listing) -> str:
    """What the model reads: title, description, category path and attributes."""
    attributes = " ".join(f"{k} {v}" for k, v in sorted(x.attributes.items()))
    return "\n".join(t for t in (x.title, x.description, x.category, attributes) if t)


@dataclass
class ScreenModel:
    pipeline: Pipeline
    meta: dict[str, Any] = field(default_factory=dict)

    def opinions(self, listings: Sequence[Listing]) -> list[Opinion]:
        if not listings:
            return []
        at = float(self.meta.get("params", {}).get("intercept_at", DEFAULT_PARAMS.intercept_at))
        classes = [str(c) for c in self.pipeline.classes_]
        out = []
        for row in self.pipeline.predict_proba([text_of(x) for x in listings]):
            p = {c: float(v) for c, v in zip(classes, row, strict=True)}
            if p.get("intercept", 0.0) >= at:
                verdict: Label = "intercept"
            else:
                verdict = ("needs_changes" if p.get("needs_changes", 0.0) > p.get("pass", 0.0)
                           else "pass")  # fmt: skip
            out.append(Opinion(verdict, round(p.get(verdict, 0.0), 4),
                               {k: round(v, 4) for k, v in sorted(p.items())}))  # fmt: skip
        return out


def build_pipeline(params: ScreenParams, seed: int) -> Pipeline:
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=params.char_ngrams, sublinear_tf=True,
                            lowercase=True)  # fmt: skip
    words = TfidfVectorizer(analyzer="word", ngram_range=params.word_ngrams, sublinear_tf=True,
                            token_pattern=WORD_TOKENS, lowercase=True)  # fmt: skip
    classifier = LogisticRegression(C=params.c, max_iter=params.max_iter,
                                    class_weight="balanced", random_state=seed)  # fmt: skip
    return Pipeline([("features", FeatureUnion([("chars", chars), ("words", words)])),
                     ("classifier", classifier)])  # fmt: skip


def model_version(rows: Sequence[Labelled], params: ScreenParams, seed: int) -> str:
    """A hash of the params, the seed and the exact training rows."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"params": asdict(params), "seed": seed}, sort_keys=True).encode())
    for r in rows:
        digest.update(f"{text_of(r.listing)}\t{r.label}\n".encode())
    return digest.hexdigest()[:16]


def train(rows: Sequence[Labelled], seed: int = 0,
          params: ScreenParams = DEFAULT_PARAMS) -> ScreenModel:  # fmt: skip
    if len({r.label for r in rows}) < 2:
        raise ValueError("at least two labels are needed to train")
    pipeline = build_pipeline(params, seed)
    pipeline.fit([text_of(r.listing) for r in rows], [r.label for r in rows])
    meta = {
        "kind": "anxin.screening",
        "version": model_version(rows, params, seed),
        "classes": sorted({r.label for r in rows}),
        "params": asdict(params),
        "seed": seed,
        "rows": len(rows),
        "sources": sorted({r.source for r in rows}),
        **describe(rows),
    }
    return ScreenModel(pipeline, meta)


def save(model: ScreenModel, out: Path) -> Path:
    return save_pipeline(model.pipeline, model.meta, out)


def load(path: Path) -> ScreenModel:
    """A model saved by :func:`save`. Unpickles: trusted paths only."""
    pipeline, meta = load_pipeline(path, "a screening model")
    if meta.get("kind") != "anxin.screening":
        raise ValueError(f"{path} is not a screening model (model.json kind {meta.get('kind')!r})")
    return ScreenModel(pipeline, meta)
