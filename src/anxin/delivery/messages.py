"""Each message type's body as a msgspec struct, and its published JSON Schema.

The structs describe the bodies exactly as the producers write them (see ``topics``); the
schemas are generated from them into ``docs/messages/`` (``python -m anxin.delivery.messages``)
and a test fails when the files are stale. Optional fields are those a producer may leave out
or null (a merchant task from the late-shipment rule names no parcel).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from anxin.delivery.topics import TOPICS, schema_name


class Money(msgspec.Struct, frozen=True):
    amount: int  # minor units (fen, cents)
    currency: str  # ISO 4217


class ConsumerCompensation(msgspec.Struct, frozen=True):
    """Hand a payout to the consumer (ledger transfer already booked by anxin)."""

    order_id: str
    consumer_id: str
    amount: Money
    paid_as: str
    reason: str  # the rule that paid
    decision_id: str


class MerchantTask(msgspec.Struct, frozen=True):
    """Ask the merchant to act on an order (ship it, resolve a logistics timeout)."""

    order_id: str
    merchant_id: str | None
    task: str
    decision_id: str
    carrier: str | None = None
    tracking_number: str | None = None
    due_at: dt.datetime | None = None


class CarrierTask(msgspec.Struct, frozen=True):
    """Ask the carrier to resolve a parcel's logistics timeout or anomaly by ``due_at``."""

    order_id: str
    merchant_id: str | None
    carrier: str
    tracking_number: str
    task: str
    due_at: dt.datetime
    decision_id: str


class RefundAutoApproved(msgspec.Struct, frozen=True):
    """Refund the order without asking the merchant (never signed, a logistics timer)."""

    order_id: str
    reason: str
    decision_id: str
    consumer_id: str | None = None


class RefundInstantApproved(msgspec.Struct, frozen=True):
    """Refund the consumer now, before anyone checks (anxin.refunds: the pack's instant-refund
    rules and the risk model approved it). ``refund_at`` says when the money leaves:
    ``request`` (now) or ``first_scan`` (when the return parcel gets its first carrier scan)."""

    order_id: str
    aftersale_id: str
    consumer_id: str
    amount: Money
    decision_id: str
    reason: str
    refund_at: str = "request"


class RefundChargedBack(msgspec.Struct, frozen=True):
    """Collect an instant refund back from the consumer: the return never came, came empty or
    with the wrong item (``reason``); the merchant was made whole (anxin.refunds.recovery)."""

    order_id: str
    aftersale_id: str
    consumer_id: str
    amount: Money
    decision_id: str
    reason: str


class RefundGranted(msgspec.Struct, frozen=True):
    """Pay an after-sales refund anxin granted (the ledger holds it as refunds payable until
    the marketplace reports it paid with ``aftersale.resolved``)."""

    order_id: str
    aftersale_id: str
    consumer_id: str
    merchant_id: str
    amount: Money
    payer: str  # who bears it: merchant, carrier or platform
    decided_by: str  # merchant, system (a clock ran out) or platform
    decision_id: str


class ClaimEligible(msgspec.Struct, frozen=True):
    """The consumer may open a claim (A-to-z): the parcel did not arrive in time."""

    order_id: str
    consumer_id: str | None
    decision_id: str
    due_at: dt.datetime


class Condition(msgspec.Struct, frozen=True):
    """One condition of a privilege and whether it held. A measure that withdraws the privilege
    reads as the failed condition ``measure_in_force == 0`` and names the measure."""

    fact: str
    op: str
    value: float
    actual: float | None
    held: bool
    measure_id: str | None = None
    kind: str | None = None  # the measure's kind, e.g. presale_off
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None  # None on a measure: until lifted


class PrivilegeChanged(msgspec.Struct, frozen=True):
    """A merchant privilege flipped in the daily evaluation, with the conditions behind it."""

    merchant_id: str
    privilege: str
    granted: bool
    day: dt.date
    because: list[Condition]
    pack: str
    version: str


class AftersaleEntitlement(msgspec.Struct, frozen=True):
    """What a right entitles the consumer to on an after-sale (a damage tier's refund amount),
    for the merchant to see; the refund itself is granted by the after-sales flow."""

    order_id: str
    aftersale_id: str
    right: str  # the rule behind it, e.g. damage_on_arrival
    amount: Money
    decision_id: str
    merchant_id: str | None = None


class Words(msgspec.Struct, frozen=True):
    zh: str
    en: str


class Violation(msgspec.Struct, frozen=True):
    """A violation notice to the merchant: the rule broken, the facts that made it, its number
    in the counting period and the measures it brings; appealable until ``appeal_by``."""

    violation_id: str
    merchant_id: str
    type: str
    tier: str
    day: dt.date
    nth: int
    period: str
    facts: dict[str, Any]
    measures: list[str]  # measure ids (each also sent as ``enforcement.measure``)
    notice: Words
    appeal_by: dt.datetime
    pack: str
    version: str


class MeasureImposed(msgspec.Struct, frozen=True):
    """A measure for the marketplace to execute (anxin's own privileges honour it directly)."""

    measure_id: str
    violation_id: str
    merchant_id: str
    kind: str  # warning, deposit_deduction, settlement_freeze, order_cap, presale_off, …
    starts_at: dt.datetime
    lift: str  # expiry | cured | never | once
    notice: Words
    ends_at: dt.datetime | None = None
    amount: Money | None = None  # a deduction or a freeze
    orders_per_day: int | None = None  # an order cap
    deduction: str | None = None  # a score deduction: the score's deduction kind


class MeasureLifted(msgspec.Struct, frozen=True):
    """A lasting measure ended: expired, cured (overdue orders picked up, plan completed), or
    reverted by an upheld appeal."""

    measure_id: str
    violation_id: str
    merchant_id: str
    kind: str
    lifted_at: dt.datetime
    why: str  # expired | cured | rectified | appeal_upheld
    listing_id: str | None = None  # a listing's measure (post-sale feedback): re-list, re-rank


class AppealDecided(msgspec.Struct, frozen=True):
    appeal_id: str
    violation_id: str
    merchant_id: str
    upheld: bool
    decided_at: dt.datetime
    decision: str
    reverted: list[str]  # measure ids reverted (an upheld appeal)


class Rectification(msgspec.Struct, frozen=True):
    """整改: a plan opened, completed or failed, with its targets and the progress so far."""

    plan_id: str
    merchant_id: str
    status: str  # open | completed | failed
    cause: str
    deadline_day: dt.date
    targets: list[dict[str, Any]]
    notice: Words


class MeasureRef(msgspec.Struct, frozen=True):
    measure_id: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None  # None: until lifted


class PresaleFlagged(msgspec.Struct, frozen=True):
    """A presale order came from a merchant without the presale privilege when it was placed
    (anxin.enforcement.presale): hold or review it. ``reasons`` say why: ``not_granted`` (the
    daily grant refused it since ``since_day``), ``no_grant`` (never evaluated, and the pack
    refuses what it cannot judge), ``measure`` (a measure withdrawing presale was in force)."""

    order_id: str
    merchant_id: str
    placed_at: dt.datetime
    presale_ship_by: dt.datetime
    reasons: list[str]
    measures: list[MeasureRef]
    decision_id: str
    pack: str
    version: str
    consumer_id: str | None = None
    since_day: dt.date | None = None


class SlaMissed(msgspec.Struct, frozen=True):
    """A service SLA was missed: answer now. For a chat round (``first_reply`` /
    ``next_reply``: 3 service minutes on Douyin) it names the conversation and round; for a
    complaint ticket (``complaint_response``: 24 h) the complaint. ``answered_at`` is set when
    the answer came, but late."""

    merchant_id: str
    consumer_id: str
    kind: str  # first_reply | next_reply | complaint_response
    asked_at: dt.datetime  # the question's (a complaint's: its filing) instant
    due_at: dt.datetime
    pack: str
    version: str
    conversation_id: str | None = None
    round: int | None = None  # the conversation's round, from 0
    complaint_id: str | None = None
    order_id: str | None = None
    answered_at: dt.datetime | None = None


class ServiceEscalated(msgspec.Struct, frozen=True):
    """A conversation or complaint ticket leaves the merchant's hands: the platform handles it
    by ``due_at``. ``reason`` is the first trigger (``missed_replies``, ``missed_complaint``, or
    a negative-service finding's kind); ``rule_ids`` every rule that triggered it."""

    escalation_id: str
    subject: str  # conversation | ticket
    subject_id: str
    merchant_id: str
    consumer_id: str
    reason: str
    rule_ids: list[str]
    escalated_at: dt.datetime
    due_at: dt.datetime
    pack: str
    version: str
    order_id: str | None = None


class AutoAnswer(msgspec.Struct, frozen=True):
    """Send ``text`` to the consumer in the merchant's name: the order's facts answer the
    question (the merchant opted in). ``message_id`` is the consumer message it answers."""

    conversation_id: str
    message_id: str
    merchant_id: str
    consumer_id: str
    order_id: str
    intent: str
    lang: str
    text: str
    facts: dict[str, str]
    pack: str
    version: str


class ProactiveMessage(msgspec.Struct, frozen=True):
    """Tell the consumer before they ask (pre-identification): the order is likely to need
    help within a day. ``text`` is the message in Chinese and English for the order's
    ``situation`` (not_shipped, overdue, stalled, exception, in_transit) at ``sent_at``, with
    the compensation already paid; ``probability`` and ``features`` are what the model saw."""

    order_id: str
    consumer_id: str
    merchant_id: str
    situation: str
    text: dict[str, str]
    probability: float
    features: dict[str, float]
    sent_at: dt.datetime
    model: str
    pack: str
    version: str


class FeedbackAction(msgspec.Struct, frozen=True):
    """Consumers rejected a listing's goods: warn, de-rank or delist it (``action``). The rate
    (quality returns or 1-2 star reviews), smoothed toward the category's mean, and the
    explanation in Chinese and English say why."""

    listing_id: str
    merchant_id: str
    category: str
    action: str  # warning | derank | delist
    measure: str  # quality_return_rate | bad_review_share
    rate: float
    smoothed: float
    category_mean: float
    orders: int
    explanation: dict[str, str]
    rule_id: str
    pack: str
    version: str
    # The violation it was recorded as, to appeal through enforcement's flow by ``appeal_by``
    # (absent when the pack has no enforcement section).
    violation_id: str | None = None
    measure_id: str | None = None
    appeal_by: dt.datetime | None = None


class ConsumerRequest(msgspec.Struct, frozen=True):
    """A consumer asked for a refund, a return or the platform's help from the guarantee hall's
    page: the marketplace opens the case in its own system (anxin recorded the same request
    as an event and runs its clocks)."""

    request_id: str  # the after-sale or complaint id anxin recorded
    order_id: str
    merchant_id: str | None
    consumer_id: str | None
    kind: str  # refund_only | return_refund | complaint
    reason: str
    text: str
    requested_at: dt.datetime
    amount: dict[str, Any] | None = None  # minor units and currency (refunds and returns)


class ServiceReply(msgspec.Struct, frozen=True):
    """A merchant answered a consumer from the portal: the marketplace delivers the text into
    the consumer's chat (anxin recorded it as the conversation's ``chat.message``)."""

    conversation_id: str
    message_id: str
    merchant_id: str
    consumer_id: str
    order_id: str | None
    text: str
    sent_at: dt.datetime
    sent_by: str  # the key's name


class ListingVerdict(msgspec.Struct, frozen=True):
    """A listing must change before it sells (``needs_changes``) or may not sell
    (``intercept``): every hit names its rule, field and span; ``decided_by`` is ``rules`` or
    ``reviewer`` (a reviewer's decision replaces the rules' verdict on that version)."""

    listing_id: str
    merchant_id: str
    verdict: str
    hits: list[dict[str, Any]]
    fingerprint: str
    decided_by: str
    pack: str | None = None
    version: str | None = None
    reason: str | None = None
    reviewer: str | None = None


BODIES: dict[str, type[msgspec.Struct]] = {
    "consumer.compensation": ConsumerCompensation,
    "merchant.task": MerchantTask,
    "carrier.task": CarrierTask,
    "refund.auto_approved": RefundAutoApproved,
    "refund.instant_approved": RefundInstantApproved,
    "refund.charged_back": RefundChargedBack,
    "a_to_z.claim_eligible": ClaimEligible,
    "merchant.privilege_changed": PrivilegeChanged,
    "aftersale.entitlement": AftersaleEntitlement,
    "refund.granted": RefundGranted,
    "enforcement.violation": Violation,
    "enforcement.measure": MeasureImposed,
    "enforcement.measure_lifted": MeasureLifted,
    "enforcement.appeal_decided": AppealDecided,
    "enforcement.rectification": Rectification,
    "order.presale_flagged": PresaleFlagged,
    "service.sla_missed": SlaMissed,
    "service.escalated": ServiceEscalated,
    "service.auto_answer": AutoAnswer,
    "service.proactive": ProactiveMessage,
    "listing.feedback_action": FeedbackAction,
    "listing.verdict": ListingVerdict,
    "consumer.request": ConsumerRequest,
    "service.reply": ServiceReply,
}
assert BODIES.keys() == TOPICS.keys(), "every topic has a body struct"


class Envelope(msgspec.Struct, frozen=True):
    """What a webhook carries (and a pull returns): the message with where it belongs."""

    id: str  # the outbox message id: also the ``webhook-id`` header, the idempotency key
    type: str  # the topic
    schema: str  # e.g. ``consumer.compensation/v1``
    aggregate_key: str  # the partition: messages of one key arrive in ``sequence`` order
    sequence: int
    created_at: dt.datetime
    data: dict[str, Any]


def file_name(topic: str) -> str:
    return f"{schema_name(topic).replace('/', '.')}.json"


def message_schemas() -> dict[str, dict[str, Any]]:
    """``{"consumer.compensation/v1": <JSON Schema>, ..., "envelope/v1": ...}``."""
    out: dict[str, dict[str, Any]] = {}
    for topic, struct in BODIES.items():
        name = schema_name(topic)
        out[name] = {"$id": name, "title": topic, **msgspec.json.schema(struct)}
    out["envelope/v1"] = {"$id": "envelope/v1", **msgspec.json.schema(Envelope)}
    return out


def render() -> dict[str, str]:
    """File name → text, as written under ``docs/messages/``."""
    files = {
        f"{name.replace('/', '.')}.json": json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for name, schema in message_schemas().items()
    }
    return dict(sorted(files.items()))


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/messages")):
        print(path)
