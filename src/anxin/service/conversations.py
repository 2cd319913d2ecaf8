"""Conversations and the merchant's service metrics (pure: chat lines and ratings in, applied
SLAs and sums out).

A conversation is its lines (consumer and agent turns; bot and system lines are not turns) and
the consumer's rating. Metrics per merchant follow the platforms' definitions (platform-rules.md
§1.2, §1.7): conversations started in service hours count; a round's response time is service
time, an unanswered round counts the pack's minutes; the 3-minute reply rate is the share of
rounds whose reply SLA was hit; dissatisfaction is the share of rated conversations rated at
most 3 stars (the score's line, §1.2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from anxin.contract.events import ChatMessage, ChatRated
from anxin.domain.calendar import BusinessCalendar
from anxin.service.sla import AppliedSla, Line, ServiceSla, reply_sla, round_seconds, rounds

DISSATISFIED_STARS = 3


@dataclass(slots=True)
class Conversation:
    conversation_id: str
    merchant_id: str
    consumer_id: str
    order_id: str | None = None
    lines: list[Line] = field(default_factory=list)
    stars: int | None = None

    @property
    def started_at(self) -> dt.datetime | None:
        return min((line.at for line in self.lines), default=None)


@dataclass(slots=True)
class ServiceMetrics:
    """One merchant's sums over the conversations counted; ratios as properties."""

    conversations: int = 0
    rounds: int = 0
    response_seconds: int = 0
    replied_in_time: int = 0  # rounds whose reply SLA was hit
    unanswered: int = 0  # conversations whose consumer never got an agent's answer
    rated: int = 0
    dissatisfied: int = 0
    satisfied: int = 0  # rated 4-5 stars (CSAT)
    stars: int = 0  # the ratings' sum
    missed: int = 0  # reply SLAs missed
    escalated: int = 0  # conversations and complaint tickets escalated to the platform

    def add(self, other: ServiceMetrics) -> None:
        """Add another merchant's sums (the platform's totals)."""
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def average_response_seconds(self) -> float | None:
        return self.response_seconds / self.rounds if self.rounds else None

    @property
    def reply_in_time_rate(self) -> float | None:
        return self.replied_in_time / self.rounds if self.rounds else None

    @property
    def dissatisfaction_rate(self) -> float | None:
        return self.dissatisfied / self.rated if self.rated else None

    @property
    def satisfaction_rate(self) -> float | None:
        """CSAT: the share of rated conversations rated 4 or 5 stars."""
        return self.satisfied / self.rated if self.rated else None

    @property
    def average_stars(self) -> float | None:
        return self.stars / self.rated if self.rated else None

    @property
    def escalation_rate(self) -> float | None:
        """Escalations to the platform per conversation counted."""
        return self.escalated / self.conversations if self.conversations else None

    def as_dict(self) -> dict[str, float | int | None]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "conversations": self.conversations, "rounds": self.rounds,
            "average_response_seconds": r(self.average_response_seconds),
            "reply_in_time_rate": r(self.reply_in_time_rate),
            "dissatisfaction_rate": r(self.dissatisfaction_rate),
            "satisfaction_rate": r(self.satisfaction_rate), "average_stars": r(self.average_stars),
            "escalation_rate": r(self.escalation_rate), "escalated": self.escalated,
            "unanswered_conversations": self.unanswered, "missed_slas": self.missed,
            "rated": self.rated,
        }  # fmt: skip


def judge(
    c: Conversation, sla: ServiceSla, hours: BusinessCalendar, now: dt.datetime
) -> list[AppliedSla]:
    """The reply SLA of each of the conversation's rounds, as of ``now``."""
    return [reply_sla(r, sla, hours, now) for r in rounds(c.lines)]


def counts(c: Conversation, hours: BusinessCalendar) -> bool:
    """Whether the conversation counts in the metrics: started in service hours."""
    started = c.started_at
    return started is not None and hours.is_working_time(started)


def add(
    m: ServiceMetrics,
    c: Conversation,
    sla: ServiceSla,
    hours: BusinessCalendar,
    now: dt.datetime,
) -> list[AppliedSla]:
    """Add one conversation to its merchant's sums (when it counts); return its applied SLAs
    (every conversation's, counted or not: a night question is due in the morning)."""
    applied = judge(c, sla, hours, now)
    if not counts(c, hours):
        return applied
    rs = rounds(c.lines)
    m.conversations += 1
    m.rounds += len(rs)
    m.response_seconds += sum(round_seconds(r, sla, hours, now) for r in rs)
    m.replied_in_time += sum(a.status == "hit" for a in applied)
    m.missed += sum(a.status == "missed" for a in applied)
    m.unanswered += bool(rs) and all(r.answered_at is None or r.answered_at > now for r in rs)
    if c.stars is not None:
        m.rated += 1
        m.dissatisfied += c.stars <= DISSATISFIED_STARS
        m.satisfied += c.stars > DISSATISFIED_STARS
        m.stars += c.stars
    return applied


def from_events(events: Iterable[ChatMessage | ChatRated]) -> dict[str, Conversation]:
    """Every conversation in ``events`` (chat lines and ratings, any order of arrival)."""
    out: dict[str, Conversation] = {}
    for event in sorted(events, key=lambda e: (e.occurred_at, e.id)):
        p = event.payload
        c = out.get(p.conversation_id)
        if c is None:
            c = out[p.conversation_id] = Conversation(
                p.conversation_id, p.merchant_id, p.consumer_id, p.order_id
            )
        if isinstance(event, ChatRated):
            c.stars = event.payload.stars
        else:
            q = event.payload
            c.lines.append(Line(event.occurred_at, q.sender, q.text, q.message_id))
    return out


def totals(
    found: Iterable[Conversation], sla: ServiceSla, hours: BusinessCalendar, now: dt.datetime
) -> ServiceMetrics:
    """The sums over every merchant's counted conversations (the platform's figures)."""
    m = ServiceMetrics()
    for c in found:
        add(m, c, sla, hours, now)
    return m
