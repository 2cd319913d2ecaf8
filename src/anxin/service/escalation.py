"""Escalation to the platform (issue 14): when a conversation or a complaint ticket leaves the
merchant's hands and joins the platform's queue, with a due time (pure: judged SLAs and
findings in, escalations out).

The pack decides (``rules.service_sla``): a conversation escalates at its
``escalate_after_missed``-th missed reply SLA, or at a negative-service finding named in
``escalate_on_findings`` (a flat refusal, blocking the consumer …); a ticket escalates when
its response SLA is missed (``escalate_missed_complaint``). The escalation is dated when its
first trigger happened (a missed SLA at its due, a finding at its line), never by when the run
noticed, so every run computes the same row; the platform answers within
``platform_due_hours`` of natural time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from anxin.service.conversations import Conversation
from anxin.service.findings import Finding
from anxin.service.sla import RULE_ID, AppliedSla, ServiceSla
from anxin.service.tickets import Ticket

Subject = Literal["conversation", "ticket"]


@dataclass(frozen=True, slots=True)
class Trigger:
    at: dt.datetime
    reason: str  # missed_replies | missed_complaint | a finding's kind
    rule_id: str


@dataclass(frozen=True, slots=True)
class Escalation:
    subject: Subject
    subject_id: str
    merchant_id: str
    consumer_id: str
    order_id: str | None
    triggers: tuple[Trigger, ...]  # oldest first; the first made it
    due_at: dt.datetime

    @property
    def escalation_id(self) -> str:
        return f"{self.subject}:{self.subject_id}"

    @property
    def escalated_at(self) -> dt.datetime:
        return self.triggers[0].at

    @property
    def reason(self) -> str:
        return self.triggers[0].reason

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.rule_id for t in self.triggers))


def _escalation(
    subject: Subject,
    subject_id: str,
    parties: tuple[str, str, str | None],
    triggers: list[Trigger],
    sla: ServiceSla,
) -> Escalation | None:
    if not triggers or sla.platform_due_hours is None:
        return None
    triggers.sort(key=lambda t: (t.at, t.reason))
    due = triggers[0].at + dt.timedelta(hours=sla.platform_due_hours)
    return Escalation(subject, subject_id, *parties, tuple(triggers), due)


def of_conversation(
    c: Conversation, applied: Sequence[AppliedSla], found: Sequence[Finding], sla: ServiceSla
) -> Escalation | None:
    """The conversation's escalation, if the pack's triggers are met (``applied``: its reply
    SLAs as judged; ``found``: its own negative-service findings)."""
    triggers: list[Trigger] = []
    n = sla.escalate_after_missed
    missed = [a for a in applied if a.status == "missed"]
    if n is not None and len(missed) >= n:
        at = sorted(a.due_at for a in missed)[n - 1]
        triggers.append(Trigger(at, "missed_replies", f"{RULE_ID}.escalate_after_missed"))
    triggers += [Trigger(f.at, f.kind, f.rule_id) for f in found
                 if f.kind in sla.escalate_on_findings
                 and c.conversation_id in f.conversation_ids]  # fmt: skip
    parties = (c.merchant_id, c.consumer_id, c.order_id)
    return _escalation("conversation", c.conversation_id, parties, triggers, sla)


def of_ticket(ticket: Ticket, sla: ServiceSla) -> Escalation | None:
    """The ticket's escalation: its response SLA missed, where the pack escalates those."""
    if not sla.escalate_missed_complaint or ticket.sla.status != "missed":
        return None
    c = ticket.complaint
    trigger = Trigger(ticket.sla.due_at, "missed_complaint",
                      f"{RULE_ID}.escalate_missed_complaint")  # fmt: skip
    parties = (c.merchant_id, c.consumer_id, c.order_id)
    return _escalation("ticket", c.complaint_id, parties, [trigger], sla)
