"""The screening rules (pure: a listing and the pack's words in, hits with spans out).

Chinese terms match as substrings; English terms as whole words, case-insensitively, so "gun"
does not hit "Gunmetal Grey". A term inside an allowed phrase ("100% cotton", "best before")
claims nothing and is not a hit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from anxin.screening.config import ScreeningConfig, Terms
from anxin.screening.listing import Listing

FIELDS = ("title", "description")


@dataclass(frozen=True, slots=True)
class Hit:
    rule_id: str
    field: str  # title, description, attributes, category or price
    start: int  # the span in the field's text (0, 0 when the hit is an absence)
    end: int
    text: str
    why: str
    probability: float | None = None  # the model's, for its reason (rule ``model``)


@cache
def _pattern(zh: tuple[str, ...], en: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [re.escape(t) for t in sorted(zh, key=len, reverse=True)]
    parts += [rf"(?<![A-Za-z0-9]){re.escape(t)}(?![A-Za-z0-9])"
              for t in sorted(en, key=len, reverse=True)]  # fmt: skip
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def spans(terms: Terms, text: str) -> list[tuple[int, int]]:
    p = _pattern(tuple(terms.zh), tuple(terms.en))
    return [] if p is None or not text else [m.span() for m in p.finditer(text)]


def _found(rule: str, terms: Terms, listing: Listing, allowed: Terms | None = None) -> list[Hit]:
    out = []
    for name in FIELDS:
        text: str = getattr(listing, name)
        excused = spans(allowed, text) if allowed is not None else []
        for a, b in spans(terms, text):
            if any(x <= a and b <= y for x, y in excused):
                continue
            out.append(Hit(rule, name, a, b, text[a:b], f"{text[a:b]!r} in the {name}"))
    return out


def prohibited_item(listing: Listing, c: ScreeningConfig) -> list[Hit]:
    return _found("prohibited_item", c.prohibited, listing, c.prohibited_allowed)


def absolute_claim(listing: Listing, c: ScreeningConfig) -> list[Hit]:
    return _found("absolute_claim", c.absolute, listing, c.absolute_allowed)


def medical_claim(listing: Listing, c: ScreeningConfig) -> list[Hit]:
    if listing.top_category in c.medical_categories:
        return []
    return _found("medical_claim", c.medical, listing, c.medical_allowed)


def brand_unauthorised(listing: Listing, c: ScreeningConfig) -> list[Hit]:
    mine = {b.lower() for b in listing.brand_authorizations}
    brands = Terms(
        zh=[b for b in c.brands if not b.isascii()], en=[b for b in c.brands if b.isascii()]
    )
    return [h for h in _found("brand_unauthorised", brands, listing)
            if h.text.lower() not in mine and not _fits(c.brand_fits, listing, h)]  # fmt: skip


def _fits(fits: Terms, listing: Listing, h: Hit) -> bool:
    """The brand follows a compatibility word ("for", "适用于"), with at most a space between."""
    before = str(getattr(listing, h.field))[: h.start].rstrip()
    return any(b == len(before) for _, b in spans(fits, before))


def missing_attribute(listing: Listing, c: ScreeningConfig) -> list[Hit]:
    need = c.mandatory_attributes.get(listing.top_category, [])
    return [Hit("missing_attribute", "attributes", 0, 0, name,
                f"{listing.top_category} listings must give {name!r}")
            for name in need if not str(listing.attributes.get(name, "")).strip()]  # fmt: skip


def price_outlier(listing: Listing, c: ScreeningConfig, median: int | None) -> list[Hit]:
    """``median``: the category's median price (minor units), None when too few to judge."""
    if listing.price is None or median is None or median <= 0:
        return []
    ratio = listing.price / median
    if c.price.low_factor <= ratio <= c.price.high_factor:
        return []
    return [Hit("price_outlier", "price", 0, 0, str(listing.price),
                f"{ratio:.2f}x the {listing.top_category} median {median}")]  # fmt: skip


def category_mismatch(listing: Listing, c: ScreeningConfig) -> list[Hit]:
    """The title names another category's goods and none of its own category's."""
    own = c.categories.get(listing.top_category)
    if own is None or spans(own, listing.title):
        return []
    for other, words in c.categories.items():
        if other == listing.top_category:
            continue
        if found := spans(words, listing.title):
            a, b = found[0]
            word = listing.title[a:b]
            why = f"{word!r} belongs in {other}, not {listing.top_category}"
            return [Hit("category_mismatch", "title", a, b, word, why)]
    return []


def all_hits(listing: Listing, c: ScreeningConfig, median: int | None) -> Iterable[Hit]:
    yield from prohibited_item(listing, c)
    yield from medical_claim(listing, c)
    yield from absolute_claim(listing, c)
    yield from brand_unauthorised(listing, c)
    yield from missing_attribute(listing, c)
    yield from price_outlier(listing, c, median)
    yield from category_mismatch(listing, c)
