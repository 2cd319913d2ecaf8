"""Every message type anxin produces today, declared once, with its body's schema version.

Producers: ``guarantees.rules.payout`` (``consumer.compensation``), ``late_shipment``
(``merchant.task``), ``logistics`` (``refund.auto_approved``, ``merchant.task`` /
``carrier.task``), ``never_signed`` (``refund.auto_approved``), ``delivery`` (a pack-named
topic; the amazon pack's ``a_to_z.claim_eligible``), ``score.grants``
(``merchant.privilege_changed``), ``refunds.service`` (``refund.instant_approved``),
``refunds.recovery`` (``refund.charged_back``), the after-sales right
``aftersales.rights_damage`` (``aftersale.entitlement``) and the after-sales flows
``aftersales.rule`` (``refund.granted``); enforcement (``enforcement.run``, ``enforcement.appeals``:
``enforcement.*``; the presale gate ``enforcement.presale``: ``order.presale_flagged``); the
service run ``service.run`` (``service.sla_missed``, ``service.escalated``,
``service.auto_answer``) and pre-identification ``service.proactive_run``
(``service.proactive``); listing feedback ``screening.feedback_run``
(``listing.feedback_action``); the screening run ``screening.run``
(``listing.verdict``); the pages ``web.hall_ask`` (``consumer.request``) and
``web.portal_service`` (``service.reply``). A new topic is added here and in ``messages``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

TOPICS: dict[str, int] = {
    "consumer.compensation": 1,
    "merchant.task": 1,
    "carrier.task": 1,
    "refund.auto_approved": 1,
    "a_to_z.claim_eligible": 1,
    "merchant.privilege_changed": 1,
    "refund.instant_approved": 1,
    "aftersale.entitlement": 1,
    "refund.charged_back": 1,
    "refund.granted": 1,
    "enforcement.violation": 1,
    "enforcement.measure": 1,
    "enforcement.measure_lifted": 1,
    "enforcement.appeal_decided": 1,
    "enforcement.rectification": 1,
    "order.presale_flagged": 1,
    "service.sla_missed": 1,
    "service.escalated": 1,
    "service.auto_answer": 1,
    "service.proactive": 1,
    "listing.feedback_action": 1,
    "listing.verdict": 1,
    "consumer.request": 1,
    "service.reply": 1,
}


class UnknownTopic(ValueError):
    pass


def schema_name(topic: str) -> str:
    """``consumer.compensation/v1``: the versioned name a body's JSON Schema is published as."""
    return f"{topic}/v{TOPICS.get(topic, 1)}"


def parse_types(values: Iterable[str]) -> list[str]:
    """Comma-separated topics (repeatable), checked against ``TOPICS``; [] means every topic."""
    types: list[str] = []
    for value in values:
        for part in value.split(","):
            topic = part.strip()
            if not topic:
                continue
            if topic not in TOPICS:
                raise UnknownTopic(f"unknown message type {topic!r}; known: {', '.join(TOPICS)}")
            if topic not in types:
                types.append(topic)
    return types


def wants(types: Sequence[str], topic: str) -> bool:
    """Whether an endpoint subscribed to ``types`` receives ``topic`` ([] = everything)."""
    return not types or topic in types
