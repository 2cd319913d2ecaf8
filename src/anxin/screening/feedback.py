"""Post-sale feedback (issue 15): what consumers did with a listing's orders — quality
returns and 1–2★ reviews — smoothed toward its category's mean, and the action the pack's
lines call for (warning, de-ranking, delisting), with the numbers behind it. Pure: per-listing
counts in, actions out.

A listing with few orders says little: its rates are pulled toward the category's mean by
``prior_orders`` pseudo-orders (a beta prior), so a single bad review on two orders is not a
50 % bad-review share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import msgspec

from anxin.domain.wording import Text

RULE_ID = "screening_feedback"
Action = Literal["warning", "derank", "delist"]


class ActionLine(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    action: Action
    times_category: float  # the smoothed rate at least this multiple of the category mean ...
    min_rate: float  # ... and at least this rate


class FeedbackConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The pack section ``rules.screening_feedback``."""

    window_days: int  # orders paid in this many days ...
    settle_days: int  # ... ending this many days ago (returns and reviews arrive late)
    prior_orders: int  # the category mean's weight, in orders
    min_orders: int  # fewer orders in the window: no action
    quality_reasons: list[str]  # after-sales reasons that count as a quality return
    bad_review_max_stars: int
    actions: list[ActionLine]  # most severe first

    def check(self, currency: str) -> None:
        del currency
        if self.window_days < 1 or self.settle_days < 0 or self.prior_orders < 0:
            raise ValueError("window_days >= 1, settle_days >= 0, prior_orders >= 0")
        order = {"delist": 0, "derank": 1, "warning": 2}
        ranks = [order[a.action] for a in self.actions]
        if ranks != sorted(ranks):
            raise ValueError("actions: most severe first (delist, derank, warning)")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: FeedbackConfig}


@dataclass(slots=True)
class Outcomes:
    """One listing's orders in the window and what came of them."""

    listing_id: str
    merchant_id: str
    category: str
    orders: int = 0
    quality_returns: int = 0
    bad_reviews: int = 0
    reviews: int = 0


@dataclass(frozen=True, slots=True)
class Judged:
    listing_id: str
    merchant_id: str
    category: str
    action: Action
    measure: str  # quality_return_rate | bad_review_share
    rate: float  # the listing's raw rate
    smoothed: float
    category_mean: float
    orders: int
    explanation: Text


def smoothed(k: int, n: int, mean: float, prior: int) -> float:
    """(k + prior·mean) / (n + prior): the rate pulled toward the category's mean."""
    return (k + prior * mean) / (n + prior) if n + prior else 0.0


def _means(found: Iterable[Outcomes]) -> dict[str, tuple[float, float]]:
    """Per category: (quality-return rate, bad-review share) over all its listings."""
    sums: dict[str, list[int]] = {}
    for o in found:
        s = sums.setdefault(o.category, [0, 0, 0, 0])
        s[0] += o.quality_returns
        s[1] += o.orders
        s[2] += o.bad_reviews
        s[3] += o.reviews
    return {c: (q / n if n else 0.0, b / r if r else 0.0) for c, (q, n, b, r) in sums.items()}


def judge(outcomes: Mapping[str, Outcomes], c: FeedbackConfig) -> list[Judged]:
    """The most severe action each listing's outcomes call for (none for most)."""
    means = _means(outcomes.values())
    out: list[Judged] = []
    for lid in sorted(outcomes):
        o = outcomes[lid]
        if o.orders < c.min_orders:
            continue
        q_mean, b_mean = means[o.category]
        measures = (
            ("quality_return_rate", o.quality_returns, o.orders, q_mean),
            ("bad_review_share", o.bad_reviews, o.reviews, b_mean),
        )
        found: Judged | None = None
        for line in c.actions:
            for name, k, n, mean in measures:
                rate = smoothed(k, n, mean, c.prior_orders)
                if rate >= line.min_rate and rate >= line.times_category * mean:
                    found = Judged(lid, o.merchant_id, o.category, line.action, name,
                                   k / n if n else 0.0, rate, mean, o.orders,
                                   _explain(line.action, name, k, n, rate, mean))  # fmt: skip
                    break
            if found is not None:
                break
        if found is not None:
            out.append(found)
    return out


@dataclass(frozen=True, slots=True)
class ShopFeedback:
    """One merchant's listings together: its rates smoothed toward what its category mix would
    have (each listing's orders at its category's mean), so a shop selling only fragile goods
    is compared with fragile goods."""

    merchant_id: str
    listings: int
    orders: int
    quality_returns: int
    reviews: int
    bad_reviews: int
    quality_return_rate: float  # smoothed
    bad_review_share: float  # smoothed
    expected_quality_return_rate: float  # its category mix's
    expected_bad_review_share: float


def shop_feedback(outcomes: Mapping[str, Outcomes], prior: int) -> list[ShopFeedback]:
    means = _means(outcomes.values())
    sums: dict[str, list[float]] = {}
    for o in outcomes.values():
        q_mean, b_mean = means[o.category]
        s = sums.setdefault(o.merchant_id, [0, 0, 0, 0, 0, 0.0, 0.0])
        s[0] += 1
        s[1] += o.orders
        s[2] += o.quality_returns
        s[3] += o.reviews
        s[4] += o.bad_reviews
        s[5] += o.orders * q_mean
        s[6] += o.reviews * b_mean
    out = []
    for mid in sorted(sums):
        listings, n, q, r, b, q_exp, b_exp = sums[mid]
        q_mean = q_exp / n if n else 0.0
        b_mean = b_exp / r if r else 0.0
        k_q, k_b, n_q, n_b = int(q), int(b), int(n), int(r)
        out.append(ShopFeedback(mid, int(listings), n_q, k_q, n_b, k_b,
                                smoothed(k_q, n_q, q_mean, prior),
                                smoothed(k_b, n_b, b_mean, prior), q_mean, b_mean))  # fmt: skip
    return out


_ACTION = {"warning": Text("警告", "a warning"), "derank": Text("降权", "de-ranking"),
           "delist": Text("下架", "delisting")}  # fmt: skip
_MEASURE = {"quality_return_rate": Text("品质退货率", "quality-return rate"),
            "bad_review_share": Text("差评率(1-2星)", "1-2 star review share")}  # fmt: skip


def _explain(action: str, measure: str, k: int, n: int, rate: float, mean: float) -> Text:
    a, m = _ACTION[action], _MEASURE[measure]
    return Text(
        f"{m.zh}{k}/{n}，按类目均值{mean:.1%}平滑后为{rate:.1%}，达到{a.zh}标准。",
        f"{m.en} {k} of {n}, {rate:.1%} after smoothing toward the category's {mean:.1%}: {a.en}.",
    )


@dataclass(frozen=True, slots=True)
class CreatorScore:
    """A creator's content quality for a recommender: 100 × (1 − the smoothed share of its
    content-driven orders that drew a 1–2★ review or a quality return)."""

    creator_id: str
    contents: int
    orders: int
    negative: int
    negative_rate: float
    smoothed: float
    score: float


def creator_scores(counts: Mapping[str, tuple[int, int, int]], prior: int) -> list[CreatorScore]:
    """``counts``: creator → (contents, content-driven orders, negative ones); every creator's
    rate is smoothed toward the mean of all content-driven orders."""
    orders = sum(n for _, n, _ in counts.values())
    mean = sum(k for _, _, k in counts.values()) / orders if orders else 0.0
    out = []
    for cid in sorted(counts):
        contents, n, k = counts[cid]
        rate = smoothed(k, n, mean, prior)
        out.append(CreatorScore(cid, contents, n, k, k / n if n else 0.0, rate,
                                round(100 * (1 - rate), 1)))  # fmt: skip
    return out
