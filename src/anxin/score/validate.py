"""``anxin score validate``: do scores rank sellers by how their buyers later rate them?

The Olist export is imported into a throw-away SQLite store, every seller is scored as of a
mid-period day (from facts known then only), and the scores are compared with each seller's
share of 1–2★ reviews written after that day: Spearman's rank correlation (negative is good: a
higher score, fewer bad reviews later) and the AUC of the score for telling apart sellers whose
later bad share is above the population's. Reported as it comes out, whatever it is.

The published score puts every shop with fewer than 30 valid orders in 30 days at a flat 70, and
Olist sellers are small, so the same comparison is also made with the formula applied to every
seller (``formula_only``: no growth stage), and without the small-sample floor as well
(``indicators_only``), optionally over a longer window.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd  # type: ignore[import-untyped]
import sqlalchemy as sa

from anxin.clock import to_us
from anxin.policy.pack import PolicyBook, PolicyPack
from anxin.score.config import ScoreConfig
from anxin.score.engines import open_source
from anxin.score.formula import score_merchant
from anxin.score.run import gather, industry_cuts, score_config
from anxin.store import schema as t

DAY_US = 86_400_000_000


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rho with average ranks for ties (None when either side is constant)."""
    if len(xs) < 3:
        return None
    rx, ry = pd.Series(xs).rank(), pd.Series(ys).rank()
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(rx.corr(ry))


def auc(scores: Sequence[float], positive: Sequence[bool]) -> float | None:
    """P(a positive has a higher score than a negative), ties half (Mann–Whitney)."""
    pos = sum(positive)
    neg = len(positive) - pos
    if pos == 0 or neg == 0:
        return None
    ranks = pd.Series(scores).rank()
    rank_sum = float(sum(r for r, p in zip(ranks, positive, strict=True) if p))
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def later_bad_shares(
    sql: sa.Engine, as_of_us: int, horizon_days: int
) -> dict[str, tuple[int, int]]:
    """Per seller: (1–2★ reviews, all reviews) written in [as_of, as_of + horizon)."""
    o = t.score_orders.c
    later = (o.rated_at_us >= as_of_us) & (o.rated_at_us < as_of_us + horizon_days * DAY_US)
    query = (
        sa.select(
            o.merchant_id,
            sa.func.sum(sa.case((o.rating <= 2, 1), else_=0)),
            sa.func.count(),
        )
        .where(later & o.rating.is_not(None))
        .group_by(o.merchant_id)
    )
    with sql.connect() as conn:
        return {m: (int(bad), int(n)) for m, bad, n in conn.execute(query)}


def _compare(
    scores: dict[str, float], later: dict[str, tuple[int, int]], min_reviews: int
) -> dict[str, Any]:
    sellers = sorted(m for m, (_, n) in later.items() if n >= min_reviews and m in scores)
    shares = [later[m][0] / later[m][1] for m in sellers]
    overall = sum(later[m][0] for m in sellers) / max(1, sum(later[m][1] for m in sellers))
    values = [scores[m] for m in sellers]
    # A good score predicts few bad reviews: the AUC of (−score) for "worse than overall".
    return {
        "sellers": len(sellers),
        "distinct_scores": len(set(values)),
        "later_bad_share_overall": round(overall, 4),
        "spearman": _round(spearman(values, shares)),
        "auc": _round(auc([-v for v in values], [s > overall for s in shares])),
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def run_validation(
    sql: sa.Engine,
    book: PolicyBook,
    as_of: dt.datetime,
    *,
    window_days: int | None = None,
    horizon_days: int = 180,
    min_reviews: int = 3,
) -> dict[str, Any]:
    """Compare scores as of ``as_of`` with later reviews, in a store whose facts are built."""
    pack: PolicyPack = next(v for v in reversed(book.versions) if v.rule("merchant_score"))
    config: ScoreConfig = score_config(pack)
    if window_days is not None:
        config = msgspec.structs.replace(config, window_days=window_days)
    growth = msgspec.structs.replace(config.growth, below_orders=1)
    formula = msgspec.structs.replace(config, growth=growth)
    variants = {
        "score": config,
        "formula_only": formula,
        # …and without the small-sample floor, which fixes small shops' product rating at 80
        "indicators_only": msgspec.structs.replace(
            formula,
            small_sample=msgspec.structs.replace(
                config.small_sample, flagship_below=1, other_below=1
            ),
        ),
    }
    later = later_bad_shares(sql, to_us(as_of), horizon_days)
    url = sql.url.render_as_string(hide_password=False)
    out: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "window_days": config.window_days,
        "horizon_days": horizon_days,
        "min_later_reviews": min_reviews,
        "pack": f"{pack.name} {pack.version}",
    }
    with open_source("sqlite" if sql.dialect.name == "sqlite" else "postgres", db=url) as source:
        for name, variant in variants.items():
            inputs = gather(source, as_of, variant)
            cuts = industry_cuts(inputs, variant)
            # Sellers with no valid order in the window have nothing to be scored on.
            scores = {
                m.merchant_id: score_merchant(m, cuts.get(m.industry, {}), variant, as_of).score
                for m in inputs
                if m.valid_orders > 0
            }
            formal = sum(1 for m in inputs if m.valid_orders >= variant.growth.below_orders)
            out[name] = {
                "scored": len(scores),
                "formal": formal,
                **_compare(scores, later, min_reviews),
            }
    return out


def validate_olist(
    directory: Path, book: PolicyBook, as_of: dt.datetime, **options: Any
) -> dict[str, Any]:
    """Import the Olist export into a temporary store, build the facts, and validate."""
    from anxin.importers.olist import ingest_export, read_export
    from anxin.score.project import rebuild
    from anxin.store.database import make_engine
    from anxin.store.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="anxin-validate-") as tmp:
        sql = make_engine(str(Path(tmp) / "olist.db"))
        try:
            upgrade(sql)
            ingest_export(sql, read_export(directory, None, "America/Sao_Paulo"), book=book)
            rebuild(sql, book)
            return run_validation(sql, book, as_of, **options)
        finally:
            sql.dispose()
