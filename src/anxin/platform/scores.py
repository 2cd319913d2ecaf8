"""The merchant score's distribution by industry: each merchant's latest daily score
(``merchant_scores``, written by the score run) grouped by its industry (``score_merchants``).
The grouping is pure (:func:`distribution`); :func:`latest` is the store read."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from anxin.store import schema as t

BINS: tuple[tuple[int, int], ...] = ((50, 60), (60, 70), (70, 80), (80, 90), (90, 101))


@dataclass(frozen=True)
class Scored:
    merchant_id: str
    industry: str
    day: str
    stage: str  # growth | formal
    score: Decimal


@dataclass(frozen=True)
class Industry:
    industry: str
    merchants: int
    formal: int
    mean: float
    median: float
    low: float
    high: float
    bins: tuple[int, ...]  # merchants per BINS (a score below 50 counts in the first)


def bin_of(score: Decimal) -> int:
    for i, (_lo, hi) in enumerate(BINS):
        if score < hi:
            return i
    return len(BINS) - 1


def distribution(rows: Iterable[Scored]) -> list[Industry]:
    by: dict[str, list[Scored]] = {}
    for r in rows:
        by.setdefault(r.industry, []).append(r)
    out = []
    for industry, xs in sorted(by.items()):
        scores = [float(x.score) for x in xs]
        bins = [0] * len(BINS)
        for x in xs:
            bins[bin_of(x.score)] += 1
        out.append(
            Industry(
                industry,
                len(xs),
                sum(x.stage == "formal" for x in xs),
                round(statistics.fmean(scores), 2),
                round(statistics.median(scores), 2),
                min(scores),
                max(scores),
                tuple(bins),
            )
        )
    return out


def latest(sql: sa.Engine) -> list[Scored]:
    """Each merchant's latest score with its industry (merchants never scored are left out)."""
    s, m = t.merchant_scores.c, t.score_merchants.c
    last = (
        sa.select(s.merchant_id, sa.func.max(s.day).label("day")).group_by(s.merchant_id).subquery()
    )
    q = (
        sa.select(s.merchant_id, s.day, s.stage, s.score, m.industry)
        .join(last, sa.and_(last.c.merchant_id == s.merchant_id, last.c.day == s.day))
        .join(t.score_merchants, m.merchant_id == s.merchant_id)
        .order_by(s.merchant_id)
    )
    with sql.connect() as conn:
        return [
            Scored(r.merchant_id, r.industry, r.day, r.stage, Decimal(r.score))
            for r in conn.execute(q)
        ]
