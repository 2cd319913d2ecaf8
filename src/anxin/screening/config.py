"""The pack section ``rules.screening`` (issue 15): prohibited items, absolute and superlative
claims, efficacy claims outside the categories that allow them, brands, mandatory attributes,
price outliers and titles that contradict their category. Words are data, in Chinese and
English; what a hit leads to (intercept or needs changes) is the pack's too."""

from __future__ import annotations

from typing import Literal

import msgspec

RULE_ID = "screening"
Severity = Literal["intercept", "needs_changes"]
RULES = (
    "prohibited_item", "medical_claim", "absolute_claim", "brand_unauthorised",
    "missing_attribute", "price_outlier", "category_mismatch", "content_contradiction",
)  # fmt: skip


class Terms(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Chinese terms match as substrings; English ones as whole words, case-insensitively."""

    zh: list[str] = []
    en: list[str] = []


class PriceRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    low_factor: float  # below this share of the category's median price
    high_factor: float  # above this multiple of it
    min_listings: int  # a category's median needs this many prices to judge by


class ScreeningConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    severity: dict[str, Severity]  # rule → what a hit leads to
    prohibited: Terms
    # Phrases that contain a prohibited term but sell nothing prohibited ("replica jersey": a
    # licensed fan shirt).
    prohibited_allowed: Terms = Terms()
    absolute: Terms
    absolute_allowed: Terms = (
        Terms()
    )  # phrases that contain a term but claim nothing ("100% cotton")
    medical: Terms
    medical_allowed: Terms = Terms()  # "cure time" (adhesives), not a cure
    medical_categories: list[str]  # top categories where efficacy claims are allowed
    brands: list[str]  # names that need the merchant's authorisation
    # Words just before a brand that make it a compatibility note, not a claim to sell the brand
    # ("Back Cover for Apple iPad", "适用于苹果").
    brand_fits: Terms = Terms()
    mandatory_attributes: dict[str, list[str]] = {}  # top category → attribute names
    price: PriceRule
    categories: dict[str, Terms] = {}  # top category → words its titles use
    # Selling content: a material it claims (name → the words that say it), checked against
    # the ``material`` attribute of the listings it sells.
    materials: dict[str, Terms] = {}

    def check(self, currency: str) -> None:
        del currency
        if unknown := set(self.severity) - set(RULES):
            raise ValueError(f"severity names unknown rules: {sorted(unknown)}")
        if missing := set(RULES) - set(self.severity):
            raise ValueError(f"severity must say what each rule leads to: {sorted(missing)}")
        p = self.price
        if not 0 < p.low_factor < 1 < p.high_factor or p.min_listings < 1:
            raise ValueError("price: need 0 < low_factor < 1 < high_factor and min_listings >= 1")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: ScreeningConfig}
