"""What rules decide: effects the engine commits atomically with the state change.

Rules return these as plain data; they never touch storage. Every id is derived from the
facts (order, rule, trigger), never from a clock or a counter, so a replay, a redelivery or a
crash-and-restart produces the same rows and the store's unique keys absorb the repeats.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from anxin.domain.ledger import LedgerTransaction


class Explanation(msgspec.Struct, frozen=True):
    """Why a decision was taken: the rule, the policy version in force, and the inputs."""

    rule_id: str
    pack: str
    pack_version: str
    inputs: dict[str, Any]


class Decision(msgspec.Struct, frozen=True):
    decision_id: str
    aggregate_key: str
    rule_id: str
    kind: str  # e.g. "breach", "exempt", "on_time"
    decided_at: dt.datetime
    explanation: Explanation
    outcome: dict[str, Any] = {}


class ScheduleDeadline(msgspec.Struct, frozen=True):
    """Ask the engine to call the rule back at ``due_at`` (``tick`` fires it exactly once).

    ``replace``: a watch that moves (re-armed with a new due time and data) rather than a
    one-off clock; the latest schedule in a batch wins. ``idle``: the watch is written but
    does not fire (nothing left to watch), so its row does not depend on batch boundaries.
    """

    deadline_id: str
    aggregate_key: str
    rule_id: str
    due_at: dt.datetime
    pack: str
    pack_version: str
    data: dict[str, Any] = {}
    replace: bool = False
    idle: bool = False


class CancelDeadline(msgspec.Struct, frozen=True):
    deadline_id: str


class OutboxMessage(msgspec.Struct, frozen=True):
    """A message for the marketplace to act on (pay a coupon, notify, open a task)."""

    message_id: str
    topic: str
    aggregate_key: str
    created_at: dt.datetime
    body: dict[str, Any]


class CapClaim(msgspec.Struct, frozen=True):
    """A payout that counts against a cap shared by several orders (Tmall: same buyer and
    seller, same payment day ≤ 500). Rules see one order, so the engine applies these: in time
    order, each payout is cut to the room left under ``limit`` (minor units)."""

    cap_key: str
    limit: int
    currency: str
    txn_key: str
    decision_id: str
    message_id: str
    order_id: str
    at: dt.datetime
    # A claim that uses up the whole cap whatever it pays (one claim per tracking number for
    # return-freight insurance): a later claim finds no room.
    once: bool = False


Effect = Decision | ScheduleDeadline | CancelDeadline | OutboxMessage | LedgerTransaction | CapClaim
