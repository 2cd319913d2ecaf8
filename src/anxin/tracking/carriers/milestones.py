"""Milestone codes, for sources that report a parcel's milestones rather than raw carrier scans
(a marketplace's own export, e.g. Olist's carrier-pickup and delivered dates): the code is the
name of anxin's status itself (``picked_up``, ``delivered`` ...)."""

from __future__ import annotations

from anxin.tracking.carriers import en_text
from anxin.tracking.rules import CarrierVocabulary, Outcome, code, codes
from anxin.tracking.vocabulary import Status

TABLE: dict[str, Outcome] = {s.value: code(s) for s in Status if s is not Status.unknown}

VOCABULARY = CarrierVocabulary(
    "marketplace", codes(TABLE), en_text.RULES, "UTC", ("olist", "milestones")
)
