"""A listing's verdict: intercept when any hit's rule leads there, needs changes when any hit
leads there, pass otherwise; with every hit, the pack and its version (pure)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from anxin.policy.pack import PolicyPack
from anxin.screening.config import RULE_ID, ScreeningConfig
from anxin.screening.listing import Listing
from anxin.screening.rules import Hit, all_hits

Verdict = Literal["pass", "needs_changes", "intercept"]


@dataclass(frozen=True, slots=True)
class Screened:
    listing_id: str
    verdict: Verdict
    hits: tuple[Hit, ...]
    pack: str
    version: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "listing_id": self.listing_id, "verdict": self.verdict,
            "hits": [_hit(h) for h in self.hits],
            "pack": self.pack, "version": self.version,
        }  # fmt: skip


def _hit(h: Hit) -> dict[str, Any]:
    out: dict[str, Any] = {"rule_id": f"{RULE_ID}.{h.rule_id}", "field": h.field,
                           "span": [h.start, h.end], "text": h.text, "why": h.why}  # fmt: skip
    if h.probability is not None:
        out["probability"] = h.probability
    return out


def config_of(pack: PolicyPack) -> ScreeningConfig:
    found = pack.rule(RULE_ID)
    if not isinstance(found, ScreeningConfig):
        raise LookupError(f"pack {pack.name} {pack.version} has no rules.{RULE_ID}")
    return found


def medians(listings: Iterable[Listing], c: ScreeningConfig) -> dict[str, int]:
    """Each category's median price, where it has enough prices to judge by."""
    prices: dict[str, list[int]] = defaultdict(list)
    for x in listings:
        if x.price is not None:
            prices[x.top_category].append(x.price)
    return {k: int(statistics.median(v)) for k, v in prices.items()
            if len(v) >= c.price.min_listings}  # fmt: skip


def screen(listing: Listing, pack: PolicyPack, median: dict[str, int] | None = None) -> Screened:
    c = config_of(pack)
    hits = tuple(all_hits(listing, c, (median or {}).get(listing.top_category)))
    levels = {c.severity[h.rule_id] for h in hits}
    verdict: Verdict = ("intercept" if "intercept" in levels
                        else "needs_changes" if levels else "pass")  # fmt: skip
    return Screened(listing.listing_id, verdict, hits, pack.name, pack.version)


def screen_all(listings: Sequence[Listing], pack: PolicyPack) -> list[Screened]:
    """A batch, the price rule judging each listing against its batch's category medians."""
    m = medians(listings, config_of(pack))
    return [screen(x, pack, m) for x in listings]


STRICTNESS: dict[Verdict, int] = {"pass": 0, "needs_changes": 1, "intercept": 2}
MODEL_RULE = "model"  # reported as ``screening.model``


def with_model(s: Screened, verdict: Verdict, probability: float) -> Screened:
    """The stricter of the rules' verdict and the model's; the model's reason (its verdict and
    probability) joins the rules' hits, which keep their spans, when it does not say pass."""
    if verdict == "pass":
        return s
    why = f"the model says {verdict} with probability {probability:.2f}"
    hit = Hit(MODEL_RULE, "listing", 0, 0, verdict, why, round(probability, 4))
    stricter = max(s.verdict, verdict, key=STRICTNESS.__getitem__)
    return Screened(s.listing_id, stricter, (*s.hits, hit), s.pack, s.version)
