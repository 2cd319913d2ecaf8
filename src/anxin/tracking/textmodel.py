"""The light text model behind the scan-text rules: character n-grams, TF-IDF, a linear
classifier (multinomial logistic regression) over anxin's statuses.

Scoring is pure Python over plain numbers, so reading a scan needs no scikit-learn (only
training does: ``anxin.tracking.texttrain``). The shipped weights live beside this module
(``text_model.json.gz``, rebuilt by ``anxin tracking train-text``) and are read once, on first
use, like a data module.

The model is the last resort: a carrier's code table decides first, then the text rules; the
model speaks only when both are silent and it is confident (``threshold`` on the top class's
probability), else the scan stays ``unknown``.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from anxin.tracking.vocabulary import Status

SHIPPED = "text_model.json.gz"
NGRAMS = (2, 3, 4)
DEFAULT_THRESHOLD = 0.6


def grams(text: str) -> Iterator[str]:
    """Character n-grams of the case-folded text with single spaces at its ends (so word edges
    count), for n in ``NGRAMS``. One function for training and scoring."""
    padded = " " + " ".join(text.casefold().split()) + " "
    for n in NGRAMS:
        for i in range(len(padded) - n + 1):
            yield padded[i : i + n]


@dataclass(frozen=True, slots=True)
class TextModel:
    classes: tuple[Status, ...]
    index: Mapping[str, int]  # n-gram → feature
    idf: Sequence[float]
    weights: Sequence[Sequence[float]]  # per feature, one weight per class
    intercepts: Sequence[float]
    threshold: float = DEFAULT_THRESHOLD

    def probabilities(self, text: str) -> dict[Status, float]:
        counts = Counter(self.index[g] for g in grams(text) if g in self.index)
        if not counts:
            return {}
        # sublinear TF × IDF, L2-normalised: what the trainer's TfidfVectorizer computes.
        x = {f: (1.0 + math.log(c)) * self.idf[f] for f, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in x.values())) or 1.0
        scores = list(self.intercepts)
        for f, v in x.items():
            for k, w in enumerate(self.weights[f]):
                scores[k] += w * v / norm
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}

    def predict(self, text: str) -> tuple[Status, float] | None:
        """The most likely status and its probability, or ``None`` when the model is not
        confident (below ``threshold``) or knows none of the text's n-grams."""
        probs = self.probabilities(text)
        if not probs:
            return None
        status, p = max(probs.items(), key=lambda kv: kv[1])
        return (status, p) if p >= self.threshold else None

    def to_json(self) -> dict[str, Any]:
        grams_by_feature = sorted(self.index, key=self.index.__getitem__)
        return {
            "format": "anxin-text-model-1",
            "ngrams": list(NGRAMS),
            "threshold": self.threshold,
            "classes": [str(c) for c in self.classes],
            "grams": grams_by_feature,
            "idf": [round(v, 4) for v in self.idf],
            "weights": [[round(w, 3) for w in row] for row in self.weights],
            "intercepts": [round(v, 4) for v in self.intercepts],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TextModel:
        if data.get("format") != "anxin-text-model-1" or tuple(data["ngrams"]) != NGRAMS:
            raise ValueError("not an anxin text model of this version")
        return cls(
            classes=tuple(Status(c) for c in data["classes"]),
            index={g: i for i, g in enumerate(data["grams"])},
            idf=tuple(data["idf"]),
            weights=tuple(tuple(r) for r in data["weights"]),
            intercepts=tuple(data["intercepts"]),
            threshold=float(data["threshold"]),
        )

    def dumps(self) -> bytes:
        """The gzipped JSON file's bytes (deterministic: no timestamp in the gzip header)."""
        raw = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))
        return gzip.compress(raw.encode("utf-8"), mtime=0)


def loads(data: bytes) -> TextModel:
    return TextModel.from_json(json.loads(gzip.decompress(data).decode("utf-8")))


@lru_cache(maxsize=1)
def shipped() -> TextModel | None:
    """The model shipped in the package (``None`` if the file is absent: rules only)."""
    path = resources.files("anxin.tracking") / SHIPPED
    if not path.is_file():
        return None
    return loads(path.read_bytes())
