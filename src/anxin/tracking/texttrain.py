"""Training the text model (``anxin.tracking.textmodel``) from the descriptions anxin already
maps: every fixture event whose carrier's code table gives a precise status (the code table is
the label, the description the input) plus the written-out wordings of ``carriers.text_seeds``.
The edge that reads the fixtures and needs scikit-learn; ``anxin tracking train-text`` runs it.

``exclude`` leaves carriers out (with their families: carriers sharing one code list), and
seeds equal to any of their descriptions, so a leave-one-carrier-out evaluation trains on the
other carriers only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from anxin.tracking.carriers import vocabulary
from anxin.tracking.carriers.text_seeds import SEEDS
from anxin.tracking.parsers import parse_file
from anxin.tracking.rules import lookup
from anxin.tracking.textmodel import DEFAULT_THRESHOLD, TextModel, grams
from anxin.tracking.vocabulary import Status

# Carriers that share one code list (and so one set of descriptions) leave together.
FAMILY = {"usps_international": "usps", "mydhl": "dhl_express"}
MAX_FEATURES = 4000

Pair = tuple[str, Status]


def family(carrier: str) -> str:
    return FAMILY.get(carrier, carrier)


def fixture_texts(root: Path, carriers: Iterable[str]) -> dict[str, list[Pair]]:
    """Per carrier: (description, status from its code table) for each fixture event whose code
    the table lists precisely (coarse codes and unlisted ones teach nothing)."""
    wanted = set(carriers)
    with (root / "INDEX.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["carrier"] in wanted]
    out: dict[str, list[Pair]] = {c: [] for c in wanted}
    for row in rows:
        result = parse_file(root / row["carrier"] / row["raw_payload_file"], row["carrier"])
        vocab = vocabulary(row["carrier"])
        for scan in result.scans:
            hit = lookup(vocab.codes, scan.code)
            if scan.text and hit is not None and hit.status is not None and not hit.coarse:
                out[row["carrier"]].append((scan.text, hit.status))
    return out


def fixture_carriers(root: Path) -> list[str]:
    with (root / "INDEX.csv").open(newline="", encoding="utf-8") as f:
        return sorted({r["carrier"] for r in csv.DictReader(f)})


def training_pairs(root: Path, exclude: Iterable[str] = ()) -> list[Pair]:
    """Seeds and fixture descriptions, without the excluded carriers' families; distinct."""
    left_out = {family(c) for c in exclude}
    by_carrier = fixture_texts(root, fixture_carriers(root))
    held_out = {
        t.casefold() for c, pairs in by_carrier.items() if family(c) in left_out for t, _ in pairs
    }
    pairs: list[Pair] = [
        (t, s) for s, texts in SEEDS.items() for t in texts if t.casefold() not in held_out
    ]
    for carrier, found in sorted(by_carrier.items()):
        if family(carrier) not in left_out:
            pairs.extend(found)
    return list(dict.fromkeys(pairs))


def _analyzer(text: str) -> list[str]:
    return list(grams(text))


def train(pairs: list[Pair], threshold: float = DEFAULT_THRESHOLD) -> TextModel:
    """Fit TF-IDF over character n-grams and a logistic regression; deterministic."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    texts = [t for t, _ in pairs]
    labels = [str(s) for _, s in pairs]
    vectorizer = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, max_features=MAX_FEATURES)
    x = vectorizer.fit_transform(texts)
    clf = LogisticRegression(C=10.0, max_iter=5000)
    with threadpool_limits(1):  # a few hundred rows: threads only contend (20x slower here)
        clf.fit(x, labels)
    index = {str(g): int(i) for g, i in vectorizer.vocabulary_.items()}
    coef = clf.coef_  # classes × features
    weights = [[float(coef[k][f]) for k in range(coef.shape[0])] for f in range(coef.shape[1])]
    return TextModel(
        classes=tuple(Status(c) for c in clf.classes_),
        index=index,
        idf=[float(v) for v in vectorizer.idf_],
        weights=weights,
        intercepts=[float(v) for v in clf.intercept_],
        threshold=threshold,
    )


def shipped_path() -> Path:
    return Path(__file__).with_name("text_model.json.gz")
