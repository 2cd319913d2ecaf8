"""``anxin violations evaluate``: the merchants caught per violation type, scored against the
simulator's ground truth.

The ONLY module of ``anxin.enforcement`` that reads the truth file, and only to score: it reads
the ``violations`` table (rows ``active``; a reverted violation was overturned on appeal) and
never calls the detector. A merchant is *caught* for a type when it has at least one active
violation of that type; *planted* when the truth has a ``violator`` record of that type.

Per type: precision = caught and planted ÷ caught (null when nothing was caught), recall =
caught and planted ÷ planted (null when nothing was planted; 0 when some were planted and none
caught). ``precision_min`` / ``recall_min`` are the lowest over the types where each is defined.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.enforcement.config import LISTING_TYPES, VIOLATION_TYPES
from anxin.store.schema import violations


class _Record(msgspec.Struct):
    kind: str
    merchant_id: str = ""
    violation: str = ""


def planted(truth_path: str | Path) -> dict[str, set[str]]:
    """Merchant ids the truth file plants, by violation type."""
    decoder = msgspec.json.Decoder(_Record)
    found: dict[str, set[str]] = defaultdict(set)
    with open(truth_path, "rb") as f:
        for line in f:
            if b'"violator"' in line:  # cheap filter; the record's kind decides
                v = decoder.decode(line)
                if v.kind == "violator":
                    found[v.violation].add(v.merchant_id)
    return dict(found)


def caught(sql: sa.Engine) -> dict[str, set[str]]:
    """Merchant ids with at least one active violation, by type."""
    query = (
        sa.select(violations.c.type, violations.c.merchant_id)
        # A listing's feedback action is not a merchant conduct the simulator plants.
        .where(violations.c.status == "active", violations.c.type.not_in(LISTING_TYPES))
        .distinct()
    )
    found: dict[str, set[str]] = defaultdict(set)
    with sql.connect() as conn:
        for kind, merchant in conn.execute(query):
            found[str(kind)].add(str(merchant))
    return dict(found)


def score(planted: dict[str, set[str]], caught: dict[str, set[str]]) -> dict[str, Any]:
    """Precision and recall per type (the nine known first, then any other type seen)."""
    extra = sorted((set(planted) | set(caught)) - set(VIOLATION_TYPES))
    types: dict[str, dict[str, Any]] = {}
    for kind in (*VIOLATION_TYPES, *extra):
        p, c = planted.get(kind, set()), caught.get(kind, set())
        hit = p & c
        types[kind] = {
            "planted": len(p),
            "caught": len(c),
            "true_positives": len(hit),
            "precision": len(hit) / len(c) if c else None,
            "recall": len(hit) / len(p) if p else None,
            "missed": sorted(p - c),
            "false_positives": sorted(c - p),
        }
    precisions = [t["precision"] for t in types.values() if t["precision"] is not None]
    recalls = [t["recall"] for t in types.values() if t["recall"] is not None]
    return {
        "types": types,
        "precision_min": min(precisions) if precisions else None,
        "recall_min": min(recalls) if recalls else None,
        "planted": sum(len(v) for v in planted.values()),
        "caught": sum(len(v) for v in caught.values()),
    }


def evaluate(sql: sa.Engine, truth_path: str | Path) -> dict[str, Any]:
    """Score the store's active violations against the truth file's planted violators."""
    return score(planted(truth_path), caught(sql))
