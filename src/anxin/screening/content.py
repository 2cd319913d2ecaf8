"""Selling content (issue 15): a live stream's, video's or article's text screened with the
listing rules (claims, prohibited goods, efficacy outside medicine), and against the listings
it sells: a material it claims that the listing's own attributes contradict. Pure."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from anxin.policy.pack import PolicyPack
from anxin.screening.config import ScreeningConfig
from anxin.screening.listing import Listing
from anxin.screening.rules import Hit, absolute_claim, medical_claim, prohibited_item, spans
from anxin.screening.screen import Screened, Verdict, config_of


class Content(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    content_id: str
    text: str
    listings: list[Listing] = []  # the listings it sells, as screening reads them
    creator_id: str | None = None


def contradictions(content: Content, c: ScreeningConfig) -> list[Hit]:
    """A material the content claims (pack: ``materials``) that a sold listing's
    ``material`` attribute does not name."""
    out: list[Hit] = []
    for name, words in c.materials.items():
        for a, b in spans(words, content.text):
            for x in content.listings:
                said = x.attributes.get("material", "")
                if said and not spans(words, said):
                    why = f"says {name} but {x.listing_id}'s material is {said!r}"
                    out.append(Hit("content_contradiction", "text", a, b, content.text[a:b], why))
    return out


def screen_content(content: Content, pack: PolicyPack) -> Screened:
    c = config_of(pack)
    # The content's text read as a listing's description, in the category of what it sells
    # (efficacy claims are allowed where every listing it sells allows them).
    medical = bool(content.listings) and all(
        x.top_category in c.medical_categories for x in content.listings)  # fmt: skip
    as_listing = Listing(listing_id=content.content_id, title="", description=content.text,
                         category=content.listings[0].category if medical else "")  # fmt: skip
    hits: list[Hit] = [*prohibited_item(as_listing, c), *absolute_claim(as_listing, c)]
    if not medical:
        hits += medical_claim(as_listing, c)
    hits += contradictions(content, c)
    levels = {c.severity.get(h.rule_id, "needs_changes") for h in hits}
    verdict: Verdict = ("intercept" if "intercept" in levels
                        else "needs_changes" if levels else "pass")  # fmt: skip
    return Screened(content.content_id, verdict, tuple(_as_text(h) for h in hits), pack.name,
                    pack.version)  # fmt: skip


def _as_text(h: Hit) -> Hit:
    return Hit(h.rule_id, "text", h.start, h.end, h.text, h.why.replace("description", "text"))


def screen_contents(contents: Sequence[Content], pack: PolicyPack) -> list[Screened]:
    return [screen_content(x, pack) for x in contents]
