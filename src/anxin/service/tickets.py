"""Complaint tickets (issue 14): one ticket per ``complaint.filed``, with its response SLA
(pure: the complaint, the conversations and the after-sales answers in; the ticket out).

The merchant's valid response to a complaint is the first of, at or after the filing:

- an agent's chat line in a conversation of that merchant with that consumer on that order (any
  of their conversations when the complaint names no order), or
- the merchant's ``aftersale.responded`` on the complaint's order (an agreement, a refusal, a
  proposal: a decision the consumer can act on).

Bot and system lines are not a response: a person must answer. The SLA is the pack's
``complaint_response_hours`` of natural time (Douyin: 24 h, platform-rules.md §5.1): a response
exactly at the due is a hit, one a second later a miss.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from anxin.service.conversations import Conversation
from anxin.service.sla import AppliedSla, ServiceSla, complaint_sla

ResponseVia = Literal["chat", "aftersale"]


@dataclass(frozen=True, slots=True)
class Complaint:
    complaint_id: str
    merchant_id: str
    consumer_id: str
    order_id: str | None
    topic: str
    filed_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AftersaleAnswer:
    """The merchant's ``aftersale.responded`` on an order."""

    order_id: str
    aftersale_id: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Response:
    at: dt.datetime
    via: ResponseVia
    ref: str  # the chat message's id, or the after-sales case's


@dataclass(frozen=True, slots=True)
class Ticket:
    complaint: Complaint
    response: Response | None
    sla: AppliedSla

    @property
    def ticket_id(self) -> str:
        return self.complaint.complaint_id


def valid_response(
    complaint: Complaint,
    conversations: Iterable[Conversation],
    answers: Sequence[AftersaleAnswer],
    now: dt.datetime,
) -> Response | None:
    """The merchant's first valid response to the complaint known at ``now``, if any."""
    found: list[Response] = []
    filed = complaint.filed_at
    for c in conversations:
        if (c.merchant_id, c.consumer_id) != (complaint.merchant_id, complaint.consumer_id):
            continue
        if complaint.order_id is not None and c.order_id != complaint.order_id:
            continue
        found += [Response(x.at, "chat", x.message_id) for x in c.lines
                  if x.sender == "agent" and filed <= x.at <= now]  # fmt: skip
    if complaint.order_id is not None:
        found += [Response(a.at, "aftersale", a.aftersale_id) for a in answers
                  if a.order_id == complaint.order_id and filed <= a.at <= now]  # fmt: skip
    return min(found, key=lambda r: (r.at, r.via, r.ref), default=None)


def judge_ticket(
    complaint: Complaint,
    conversations: Iterable[Conversation],
    answers: Sequence[AftersaleAnswer],
    sla: ServiceSla,
    now: dt.datetime,
) -> Ticket:
    """The complaint's ticket as of ``now``: its valid response and its SLA's state."""
    response = valid_response(complaint, conversations, answers, now)
    applied = complaint_sla(complaint.filed_at, None if response is None else response.at, sla,
                            now)  # fmt: skip
    return Ticket(complaint, response, applied)
