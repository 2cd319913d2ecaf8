"""Selling content with hollow claims, and the content standards that stop them (issue 15).

Some shops add a claim to their live streams and videos that the goods do not bear out ("全网
最低价", "纯棉面料" on polyester, "三天见效"); consumers who bought on it are disappointed more
often (``Mix.reactions``). With ``content_standards`` the platform screens content when it is
published: content it does not allow is published again without the claim. Which shops make
claims, and when, is drawn per content from a generator of its own, so a world with standards
is the same world without them, minus the disappointment.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol

# Hollow claims a shop may add to its content: some the platform's words catch, some not.
CLAIMS = (
    "全网最低价，错过等一年",
    "纯棉面料，亲肤透气",
    "三天见效，无效退款",
    "喝了能治疗失眠",
    "进口原装，官方正品",
    "明星同款，销量第一",
)
CLAIMING_SHOPS = 0.25  # the share of shops that make claims ...
CLAIM_RATE = 0.6  # ... in this share of their content


class ContentStandards(Protocol):
    def allows(self, text: str, listings: Sequence[tuple[str, str, str, str]]) -> bool:
        """Whether content with ``text`` selling ``listings`` (id, title, category, material)
        may go out as it is."""
        ...


def claims(seed: int, merchant_id: str) -> bool:
    """Whether the shop makes hollow claims at all (fixed per shop and seed)."""
    return random.Random(f"anxin-sim:{seed}:{merchant_id}:claims").random() < CLAIMING_SHOPS


def with_claim(seed: int, content_id: str) -> str | None:
    """The claim this piece of content carries, if any (for a claiming shop)."""
    rng = random.Random(f"anxin-sim:{seed}:{content_id}:claim")
    return rng.choice(CLAIMS) if rng.random() < CLAIM_RATE else None


def publish(
    seed: int,
    merchant_id: str,
    content_id: str,
    text: str,
    listings: Sequence[tuple[str, str, str, str]],
    standards: ContentStandards | None,
) -> tuple[str, bool]:
    """The text that goes out and whether it misleads: a claiming shop's claim, unless the
    platform's standards refuse it (then it goes out without)."""
    if not claims(seed, merchant_id):
        return text, False
    claim = with_claim(seed, content_id)
    if claim is None:
        return text, False
    claimed = f"{text}{claim}！"
    if standards is not None and not standards.allows(claimed, listings):
        return text, False
    return claimed, True
