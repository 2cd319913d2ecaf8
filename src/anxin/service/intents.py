"""Intent classification of consumer messages: TF-IDF character n-grams (Chinese needs no
segmenter) and word n-grams, into a logistic regression whose probabilities give the
``confidence``. The model's labels are mapped onto the engine's intents by
``intent_map.yaml`` (data, not code).

A saved model is a directory: ``pipeline.joblib`` (the fitted scikit-learn pipeline) and
``model.json`` (version, labels, params, seed, rows, source). The pickle executes code when
loaded: load models only from trusted paths (ones you trained yourself).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline

from anxin.service.intent_data import Utterances

PIPELINE_FILE = "pipeline.joblib"
META_FILE = "model.json"
OTHER = "other"
# Latin words, or single Han characters: without a segmenter a Chinese "word" is one character,
# so the word bigrams of a Chinese message are its character bigrams (and the branch is never
# empty, whichever the language).
WORD_TOKENS = r"[A-Za-z]{2,}|[\u3400-\u9fff]"


@dataclass(frozen=True)
class IntentParams:
    """Feature and classifier settings (chosen by cross-validation on training parts only:
    see docs/service.md). ``word_ngrams`` None leaves the word branch out."""

    char_ngrams: tuple[int, int] = (1, 2)
    word_ngrams: tuple[int, int] | None = (1, 2)
    c: float = 10.0
    max_iter: int = 3000


DEFAULT_PARAMS = IntentParams()


@dataclass(frozen=True)
class Classification:
    text: str
    intent: str
    label: str
    confidence: float


@dataclass
class IntentModel:
    pipeline: Pipeline
    meta: dict[str, Any] = field(default_factory=dict)

    def classify(self, texts: list[str]) -> list[Classification]:
        """Each text's most probable label, its engine intent and that probability."""
        if not texts:
            return []
        probabilities = self.pipeline.predict_proba(texts)
        classes = [str(c) for c in self.pipeline.classes_]
        out = []
        for text, row in zip(texts, probabilities, strict=True):
            best = int(row.argmax())
            label = classes[best]
            confidence = round(float(row[best]), 4)
            out.append(Classification(text, engine_intent(label), label, confidence))
        return out


@cache
def intent_map() -> tuple[frozenset[str], dict[str, str]]:
    """The engine's intents, and every data set's label → engine intent."""
    text = resources.files("anxin.service").joinpath("intent_map.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    intents = frozenset(str(i) for i in raw["intents"])
    mapping: dict[str, str] = {}
    for name, table in raw.items():
        if name == "intents":
            continue
        for label, intent in table.items():
            if intent not in intents:
                raise ValueError(f"intent_map.yaml: {name}.{label} maps to unknown {intent!r}")
            mapping[str(label)] = str(intent)
    return intents, mapping


def engine_intent(label: str) -> str:
    """The engine's intent for a model label: mapped, itself if already one, else ``other``."""
    intents, mapping = intent_map()
    if label in mapping:
        return mapping[label]
    return label if label in intents else OTHER


def build_pipeline(params: IntentParams, seed: int) -> Pipeline:
    branches: list[tuple[str, Any]] = [
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=params.char_ngrams,
                                  sublinear_tf=True)),
    ]  # fmt: skip
    if params.word_ngrams is not None:
        words = TfidfVectorizer(
            analyzer="word",
            ngram_range=params.word_ngrams,
            sublinear_tf=True,
            token_pattern=WORD_TOKENS,
        )
        branches.append(("words", words))
    classifier = LogisticRegression(C=params.c, max_iter=params.max_iter, random_state=seed)
    return Pipeline([("features", FeatureUnion(branches)), ("classifier", classifier)])


def baseline_pipeline(seed: int) -> Pipeline:
    """The plain reference: TF-IDF character 1–3-grams and a default logistic regression."""
    return Pipeline([
        ("features", TfidfVectorizer(analyzer="char", ngram_range=(1, 3))),
        ("classifier", LogisticRegression(random_state=seed)),
    ])  # fmt: skip


def model_version(data: Utterances, params: IntentParams, seed: int) -> str:
    """A hash of the params, the seed and the exact training rows."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"params": asdict(params), "seed": seed}, sort_keys=True).encode())
    for text, label in zip(data.texts, data.labels, strict=True):
        digest.update(f"{text}\t{label}\n".encode())
    return digest.hexdigest()[:16]


def train(data: Utterances, seed: int = 0, params: IntentParams = DEFAULT_PARAMS) -> IntentModel:
    if len(set(data.labels)) < 2:
        raise ValueError(f"{data.source}: at least two intents are needed to train")
    pipeline = build_pipeline(params, seed)
    pipeline.fit(list(data.texts), list(data.labels))
    meta = {
        "version": model_version(data, params, seed),
        "labels": sorted(set(data.labels)),
        "params": asdict(params),
        "seed": seed,
        "rows": len(data.texts),
        "skipped": data.skipped,
        "source": data.source,
    }
    return IntentModel(pipeline, meta)


def save_pipeline(pipeline: Any, meta: dict[str, Any], out: Path) -> Path:
    """A text model's directory: the joblib pipeline and its JSON metadata (also the screening
    model's format)."""
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, out / PIPELINE_FILE)
    (out / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    return out


def load_pipeline(path: Path, what: str) -> tuple[Pipeline, dict[str, Any]]:
    """A directory saved by :func:`save_pipeline`. Unpickles: trusted paths only."""
    pipeline_file, meta_file = path / PIPELINE_FILE, path / META_FILE
    if not pipeline_file.is_file() or not meta_file.is_file():
        raise FileNotFoundError(f"{path} is not {what} ({PIPELINE_FILE}, {META_FILE})")
    meta = json.loads(meta_file.read_text("utf-8"))
    pipeline = joblib.load(pipeline_file)
    if not isinstance(pipeline, Pipeline):
        raise TypeError(f"{pipeline_file} does not hold a scikit-learn pipeline")
    return pipeline, meta


def save(model: IntentModel, out: Path) -> Path:
    return save_pipeline(model.pipeline, model.meta, out)


def load(path: Path) -> IntentModel:
    """A model saved by :func:`save`. Unpickles: trusted paths only."""
    return IntentModel(*load_pipeline(path, "an intent model"))


def evaluate(
    data: Utterances,
    seed: int = 0,
    test_share: float = 0.3,
    params: IntentParams = DEFAULT_PARAMS,
    baseline: bool = False,
) -> dict[str, Any]:
    """Accuracy and macro-F1 on a stratified, seeded held-out split (and the plain baseline's
    macro-F1 on the same split when asked)."""
    x_train, x_test, y_train, y_test = train_test_split(
        list(data.texts), list(data.labels), test_size=test_share, stratify=list(data.labels),
        random_state=seed,
    )  # fmt: skip
    pipeline = build_pipeline(params, seed).fit(x_train, y_train)
    predicted = pipeline.predict(x_test)
    out: dict[str, Any] = {
        "accuracy": round(float(accuracy_score(y_test, predicted)), 4),
        "macro_f1": round(float(f1_score(y_test, predicted, average="macro")), 4),
        "n_train": len(x_train),
        "n_test": len(x_test),
        "labels": len(set(data.labels)),
    }
    if baseline:
        plain = baseline_pipeline(seed).fit(x_train, y_train).predict(x_test)
        out["baseline_macro_f1"] = round(float(f1_score(y_test, plain, average="macro")), 4)
    return out
