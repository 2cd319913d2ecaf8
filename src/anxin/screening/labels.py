"""The labelled set the screening model learns from and is judged on (docs/screening-labelling-
guide.md says how each row got its label):

- hand-labelled listings, Chinese and English (``labels/hand_*.csv``, written by people with the
  guide, never by the screening code);
- the simulator's listings with the label its planted truth (``Listing.bad``) maps to by the
  guide's table: one seed trains, another evaluates;
- optionally, a sample of real Flipkart titles read from the shared data at run time, which the
  guide's procedure labels "not intercept" (titles that hit the guide's own lexicon are left out
  unreviewed): they measure false interceptions only.

The split of the hand-labelled rows is stratified by label and seeded, by a hash of each row's
id, so it is the same on every machine. Pure except the readers at the bottom.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, cast

from anxin.screening.listing import Listing, parse_csv

Label = Literal["pass", "needs_changes", "intercept"]
LABELS: tuple[Label, ...] = ("pass", "needs_changes", "intercept")
HAND_FILES = ("hand_zh.csv", "hand_en.csv")
HAN = re.compile(r"[\u3400-\u9fff]")

# The guide's table for the simulator's planted truth (section "Simulator listings").
SIM_LABELS: dict[str, tuple[Label, str]] = {
    "": ("pass", "clean"),
    "misleading": ("needs_changes", "misleading_claim"),
    "inferior": ("needs_changes", "inferior_goods"),
    "prohibited": ("intercept", "prohibited_item"),
}
# The guide's counterfeit marks: an inferior listing that says it is a copy is counterfeit.
COUNTERFEIT_MARKS = ("高仿", "精仿", "复刻", "A货", "原单", "replica", "knockoff", "first copy")
# The guide's review lexicon for real titles: a hit means "a person must look", so the row is
# left out of the unreviewed sample. Deliberately broader than the pack's lists, and separate.
REVIEW_LEXICON = (
    "replica", "copy", "clone", "fake", "knockoff", "dupe", "counterfeit", "inspired", "gun",
    "pistol", "rifle", "ammunition", "bullet", "knife", "blade", "dagger", "taser", "stun",
    "spray", "ivory", "horn", "cannabis", "weed", "hemp", "vape", "nicotine", "spy", "cure",
    "cures", "heal", "heals", "treat", "treats", "cancer", "diabetes", "disease", "weight loss",
    "slimming", "fat burn",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Labelled:
    listing: Listing
    label: Label
    reason: str  # the guide's rule for the label ("clean" for pass)
    source: str  # hand, sim:SEED, flipkart, or a file's name

    @property
    def lang(self) -> str:
        return lang_of(self.listing.title)


def lang_of(text: str) -> str:
    """zh when the text has a Han character, else en."""
    return "zh" if HAN.search(text) else "en"


def sim_label(bad: str, title: str) -> tuple[Label, str]:
    """The guide's label and reason for a simulated listing's planted truth."""
    label, reason = SIM_LABELS[bad]
    if bad == "inferior" and any(m.lower() in title.lower() for m in COUNTERFEIT_MARKS):
        return "intercept", "counterfeit"
    return label, reason


def needs_review(title: str) -> bool:
    """A real title the guide's lexicon says a person must look at before it is labelled."""
    low = title.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in REVIEW_LEXICON)


def split(
    rows: Sequence[Labelled], seed: int, test_share: float
) -> tuple[list[Labelled], list[Labelled]]:
    """(train, test): within each label, rows ordered by a seeded hash of their id, the first
    ``test_share`` of them held out."""
    by_label: dict[str, list[Labelled]] = defaultdict(list)
    for r in rows:
        by_label[r.label].append(r)
    train: list[Labelled] = []
    test: list[Labelled] = []
    for label in sorted(by_label):
        group = sorted(by_label[label], key=lambda r: _hash(seed, r.listing.listing_id))
        cut = round(len(group) * test_share)
        test += group[:cut]
        train += group[cut:]
    return train, test


def _hash(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def read_labelled(text: str, source: str) -> list[Labelled]:
    """CSV with a header: ``id``, ``label``, ``reason``, ``category``, ``title`` and optionally
    ``description`` and ``attributes`` (a JSON object)."""
    out = []
    for n, row in enumerate(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))), start=2):
        label = (row.get("label") or "").strip()
        if label not in LABELS:
            raise ValueError(f"{source} row {n}: label {label!r} is not one of {LABELS}")
        if not (row.get("id") or "").strip() or not (row.get("title") or "").strip():
            raise ValueError(f"{source} row {n}: id and title are required")
        attributes = json.loads(row["attributes"]) if row.get("attributes") else {}
        listing = Listing(listing_id=row["id"].strip(), title=row["title"].strip(),
                          category=(row.get("category") or "").strip(),
                          description=(row.get("description") or "").strip(),
                          attributes={str(k): str(v) for k, v in attributes.items()})  # fmt: skip
        out.append(Labelled(listing, cast(Label, label), (row.get("reason") or "").strip(),
                            source))  # fmt: skip
    return out


# --- readers (the package's data files, the simulator, the shared data) ---


def hand_rows() -> list[Labelled]:
    """The hand-labelled listings shipped with the package."""
    folder = resources.files("anxin.screening").joinpath("labels")
    return [r for name in HAND_FILES
            for r in read_labelled(folder.joinpath(name).read_text("utf-8"), "hand")]  # fmt: skip


def sim_rows(seed: int) -> list[Labelled]:
    """The demo world's listings for ``seed``, labelled from their planted truth."""
    from anxin.sim.merchants import make_merchants
    from anxin.sim.params import preset

    out = []
    for m in make_merchants(preset("demo", seed=seed)):
        for x in m.listings:
            label, reason = sim_label(x.bad, x.title)
            listing = Listing(
                listing_id=f"sim{seed}-{x.listing_id}",
                title=x.title,
                category=x.category,
                price=x.price,
                merchant_id=m.merchant_id,
            )
            out.append(Labelled(listing, label, reason, f"sim:{seed}"))  # fmt: skip
    return out


def flipkart_rows(path: Path, count: int, seed: int, skip: int = 0) -> tuple[list[Labelled], int]:
    """A seeded sample of ``count`` real titles (after the first ``skip`` of the seeded order,
    so a training sample and an evaluation sample do not meet) labelled "not intercept", as
    ``pass``, by the guide's procedure; and how many sampled titles the review lexicon left
    out."""
    listings = list(parse_csv(path.read_text("utf-8")))
    sample = sorted(listings, key=lambda x: _hash(seed, x.listing_id))[skip : skip + count]
    kept = [x for x in sample if not needs_review(x.title)]
    return [Labelled(x, "pass", "real_unreviewed", "flipkart") for x in kept], len(sample) - len(
        kept
    )


def describe(rows: Iterable[Labelled]) -> dict[str, dict[str, int]]:
    """Counts by label and by language."""
    by_label: dict[str, int] = defaultdict(int)
    by_lang: dict[str, int] = defaultdict(int)
    for r in rows:
        by_label[r.label] += 1
        by_lang[r.lang] += 1
    return {"labels": dict(sorted(by_label.items())), "languages": dict(sorted(by_lang.items()))}
