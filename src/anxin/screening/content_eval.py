"""Evaluating content standards (issue 15): the same seeded world simulated without anxin's
content screening and with it; negative feedback on content-driven orders (the share of their
reviews at or under the pack's bad-review stars, 1–2★) read from each stream — what consumers
said, never the screening's own verdicts — beside Douyin's published −52 %."""

from __future__ import annotations

import io
from typing import Any

import msgspec

from anxin.contract.events import OrderPlaced, ReviewPosted
from anxin.policy.pack import PolicyBook
from anxin.screening.feedback import RULE_ID as FEEDBACK_ID
from anxin.screening.feedback import FeedbackConfig
from anxin.screening.standards import Standards
from anxin.sim.content import ContentStandards
from anxin.sim.params import SimParams
from anxin.sim.run import simulate

DOUYIN_CHANGE = -0.52
_WANTED = (b'{"type":"order.placed"', b'{"type":"review.posted"')
_DECODE = msgspec.json.Decoder(OrderPlaced | ReviewPosted)


class _Lines(io.RawIOBase):
    def __init__(self) -> None:
        self.lines: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self.lines += [x for x in data.split(b"\n") if x.startswith(_WANTED)]
        return len(data)


def negative_feedback(
    params: SimParams, standards: ContentStandards | None, bad_stars: int
) -> dict[str, Any]:
    """Content-driven orders' reviews in one simulated world, and the share at 1–2★."""
    sink = _Lines()
    simulate(params, sink, io.BytesIO(), content_standards=standards)  # type: ignore[arg-type]
    content_orders: set[str] = set()
    stars: dict[str, int] = {}
    for line in sink.lines:
        e = _DECODE.decode(line)
        if isinstance(e, OrderPlaced):
            if e.payload.content_id is not None:
                content_orders.add(e.payload.order_id)
        else:
            stars[e.payload.order_id] = e.payload.stars
    reviewed = [s for oid, s in stars.items() if oid in content_orders]
    bad = sum(s <= bad_stars for s in reviewed)
    return {"content_orders": len(content_orders), "reviews": len(reviewed), "bad": bad,
            "share": bad / len(reviewed) if reviewed else 0.0}  # fmt: skip


def evaluate(params: SimParams, book: PolicyBook) -> dict[str, Any]:
    feedback = book.latest.rule(FEEDBACK_ID)  # what counts as negative: the pack's stars
    if not isinstance(feedback, FeedbackConfig):
        raise LookupError(f"pack {book.latest.name} has no rules.{FEEDBACK_ID}")
    stars = feedback.bad_review_max_stars
    off = negative_feedback(params, None, stars)
    standards = Standards(book)
    on = negative_feedback(params, standards, stars)
    a, b = off["share"], on["share"]
    return {
        "content_orders": off["content_orders"], "reviews": off["reviews"],
        "negative_feedback_without": round(a, 4), "negative_feedback_with": round(b, 4),
        "change": round(b / a - 1, 4) if a else None, "douyin_change": DOUYIN_CHANGE,
        "content_refused": len(standards.refused),
    }  # fmt: skip
