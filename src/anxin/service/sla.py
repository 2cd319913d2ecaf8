"""Service SLAs (issue 14): the clocks a merchant's customer service runs against, and their
states on each consumer round and complaint (pure: instants in, states out; no store, no wall
clock).

Douyin and Tmall count chat service in service hours (08:00–22:59:59, platform-rules.md §1.2,
§1.7, §5.1): a reply is due 3 minutes of service time after the question (a question at 22:58
is due at 08:01 the next morning; one at 03:00 at 08:03), an unanswered round counts 10
minutes in the averages, and a complaint needs a valid response within 24 hours (natural time).
Whether the service clock stops on public holidays is the pack's (`pause_on_holidays`).

An applied SLA is ``active`` until its due instant (inclusive: a reply exactly at the due is a
hit), ``hit`` when answered by then, ``missed`` when answered later or still unanswered after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from anxin.domain.calendar import BusinessCalendar, require_aware

SlaKind = Literal["first_reply", "next_reply", "complaint_response"]
SlaStatus = Literal["active", "hit", "missed"]
RULE_ID = "service_sla"
# The negative-service findings that may escalate a conversation on their own (a canned reply
# spans many conversations: it is enforcement's, not one conversation's).
EscalatingFinding = Literal["please_wait_silence", "flat_refusal", "mocking", "blocking"]


class ServiceSla(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The pack section ``rules.service_sla``."""

    service_hours: tuple[str, str]  # local [start, end): "08:00", "23:00"
    service_days: str = "Mon-Sun"
    pause_on_holidays: bool = False  # the pack calendar's holidays stop the service clock
    first_reply_minutes: int
    next_reply_minutes: int
    unanswered_round_minutes: int
    complaint_response_hours: int
    # Escalation to the platform (none of these: nothing escalates). A conversation escalates
    # at its Nth missed reply SLA or at a finding named here; a ticket when its SLA is missed.
    escalate_after_missed: int | None = None
    escalate_missed_complaint: bool = False
    escalate_on_findings: tuple[EscalatingFinding, ...] = ()
    platform_due_hours: int | None = None  # the platform's time to handle an escalation

    @property
    def escalates(self) -> bool:
        return bool(
            self.escalate_after_missed or self.escalate_missed_complaint
            or self.escalate_on_findings
        )  # fmt: skip

    def check(self, currency: str) -> None:
        del currency
        for name in ("first_reply_minutes", "next_reply_minutes", "unanswered_round_minutes",
                     "complaint_response_hours"):  # fmt: skip
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.escalate_after_missed is not None and self.escalate_after_missed < 1:
            raise ValueError("escalate_after_missed must be at least 1")
        if self.escalates and (self.platform_due_hours or 0) < 1:
            raise ValueError("platform_due_hours (at least 1) is needed when anything escalates")
        BusinessCalendar.simple("UTC", workdays=self.service_days, hours=self.service_hours)


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: ServiceSla}


def service_calendar(sla: ServiceSla, calendar: BusinessCalendar) -> BusinessCalendar:
    """The pack calendar's zone (and holidays, when the clock pauses on them) with the service
    hours as its working hours."""
    return BusinessCalendar.simple(
        calendar.timezone,
        workdays=sla.service_days,
        hours=sla.service_hours,
        holidays=calendar.holidays if sla.pause_on_holidays else (),
    )


@dataclass(frozen=True, slots=True)
class Line:
    at: dt.datetime
    sender: str  # consumer | agent | bot | system (only consumer and agent lines are turns)
    text: str = ""
    message_id: str = ""


@dataclass(frozen=True, slots=True)
class Round:
    """A consumer turn (from its first message) and the agent's answer to it, if any."""

    asked_at: dt.datetime
    answered_at: dt.datetime | None
    first: bool  # the conversation's first round (first-reply SLA) or a later one


@dataclass(frozen=True, slots=True)
class AppliedSla:
    kind: SlaKind
    started_at: dt.datetime
    due_at: dt.datetime
    status: SlaStatus
    answered_at: dt.datetime | None = None


def rounds(lines: Sequence[Line]) -> list[Round]:
    """The conversation's rounds: consecutive consumer messages open one, the next agent
    message answers it."""
    out: list[Round] = []
    waiting: dt.datetime | None = None
    for line in sorted(lines, key=lambda x: x.at):
        if line.sender == "consumer":
            waiting = waiting or require_aware(line.at)
        elif line.sender == "agent" and waiting is not None:
            out.append(Round(waiting, line.at, not out))
            waiting = None
    if waiting is not None:
        out.append(Round(waiting, None, not out))
    return out


def _status(due: dt.datetime, answered: dt.datetime | None, now: dt.datetime) -> SlaStatus:
    if answered is not None and answered <= now:
        return "hit" if answered <= due else "missed"
    return "active" if now <= due else "missed"


def reply_sla(r: Round, sla: ServiceSla, hours: BusinessCalendar, now: dt.datetime) -> AppliedSla:
    """The reply SLA applied to one round, as of ``now`` (``hours``: :func:`service_calendar`)."""
    minutes = sla.first_reply_minutes if r.first else sla.next_reply_minutes
    due = hours.add_working_hours(r.asked_at, dt.timedelta(minutes=minutes))
    kind: SlaKind = "first_reply" if r.first else "next_reply"
    answered = r.answered_at if r.answered_at is not None and r.answered_at <= now else None
    return AppliedSla(kind, r.asked_at, due, _status(due, r.answered_at, now), answered)


def complaint_sla(
    complained_at: dt.datetime, responded_at: dt.datetime | None, sla: ServiceSla, now: dt.datetime
) -> AppliedSla:
    """A complaint's ticket: a valid response within the pack's hours of natural time."""
    due = require_aware(complained_at) + dt.timedelta(hours=sla.complaint_response_hours)
    answered = responded_at if responded_at is not None and responded_at <= now else None
    return AppliedSla(
        "complaint_response", complained_at, due, _status(due, responded_at, now), answered
    )


_HOURS: dict[tuple[str, str], BusinessCalendar | None] = {}


def service_hours_of(pack: Any) -> BusinessCalendar | None:
    """The pack's service hours as a calendar (None: the pack has no ``rules.service_sla``);
    built once per pack version (readers ask for every conversation)."""
    key = (pack.name, pack.version)
    if key not in _HOURS:
        sla = pack.rule(RULE_ID)
        _HOURS[key] = service_calendar(sla, pack.calendar) if isinstance(sla, ServiceSla) else None
    return _HOURS[key]


def response_seconds(
    asked: dt.datetime, answered: dt.datetime, hours: BusinessCalendar | None
) -> int:
    """A reply's response time: service time where the pack has service hours (a question at
    22:58 answered at 08:01 waited 3 minutes), else natural time. The service's metrics, the
    score's chat indicator and enforcement's negative service all count it this way."""
    if hours is None:
        return int((answered - asked).total_seconds())
    return hours.working_seconds_between(asked, answered)


def round_seconds(r: Round, sla: ServiceSla, hours: BusinessCalendar, now: dt.datetime) -> int:
    """The round's response time for the averages: the service time from the question to the
    answer; a round unanswered by ``now`` counts ``unanswered_round_minutes``."""
    if r.answered_at is None or r.answered_at > now:
        return sla.unanswered_round_minutes * 60
    return response_seconds(r.asked_at, r.answered_at, hours)
