"""Rights: what protects an order at each node, as the guarantee hall shows it.

A rule describes the rights it enforces from the order's facts (``OrderRule.rights``); the hall
then overlays what the store recorded — a breach decision, an exemption, a payout — so the
status a consumer sees is derived from facts, never stored on its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec

Node = Literal["paid", "shipped", "in_transit", "delivered", "after_sales"]
RightStatus = Literal["pending", "in_force", "breached", "compensated", "expired", "exempt"]


class Right(msgspec.Struct, frozen=True):
    right_id: str  # stable within the order, e.g. "ship_by"
    rule_id: str
    node: Node
    title: str
    status: RightStatus  # from facts alone: pending / in_force / expired (kept) / breached
    due_at: dt.datetime | None = None
    decision_prefix: str = ""  # decisions and payouts whose ids start with this belong here
    facts: dict[str, Any] = {}


class RecordedOutcome(msgspec.Struct, frozen=True):
    """What the store holds for a right: decisions by kind and the money paid."""

    kinds: frozenset[str]
    paid_amount: int
    currency: str | None
    decision_ids: tuple[str, ...]


def overlay(right: Right, recorded: RecordedOutcome | None) -> RightStatus:
    """The status a consumer sees: recorded outcomes beat the facts-only status."""
    if recorded is None:
        return right.status
    if recorded.paid_amount > 0:
        return "compensated"
    if "breach" in recorded.kinds:
        return "breached"
    if "exempt" in recorded.kinds:
        return "exempt"
    return right.status
