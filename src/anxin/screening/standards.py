"""Content standards as the simulator's hook (issue 15): anxin's content screening decides
whether a piece of selling content may go out as it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from anxin.policy.pack import PolicyBook
from anxin.screening.content import Content, screen_content
from anxin.screening.listing import Listing


@dataclass
class Standards:
    book: PolicyBook
    refused: list[str] = field(default_factory=list)  # what was sent back (for the report)

    def allows(self, text: str, listings: Sequence[tuple[str, str, str, str]]) -> bool:
        sold = [Listing(listing_id=i, title=t, category=c,
                        attributes={"material": m} if m else {})
                for i, t, c, m in listings]  # fmt: skip
        got = screen_content(Content(content_id="-", text=text, listings=sold), self.book.latest)
        if got.verdict != "pass":
            self.refused.append(text)
        return got.verdict == "pass"
