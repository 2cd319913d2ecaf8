"""Negative-service findings with their evidence (issue 14; platform-rules.md §5.1 消极服务):
"please wait" then silence, flat refusals with no reason, mocking, blocking the consumer, and
the same canned reply to many different questions. Pure: conversations in, findings out; the
phrases and thresholds are the pack's (``rules.service_findings``), in Chinese and English.

Each finding names its rule and carries the lines that make it (message id, instant, sender,
text), so a merchant, an operator or an appeal can read exactly what was said.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import msgspec

from anxin.domain.calendar import BusinessCalendar
from anxin.service.autoanswer import intent_of
from anxin.service.conversations import Conversation
from anxin.service.sla import Line

RULE_ID = "service_findings"
FindingKind = Literal[
    "please_wait_silence", "flat_refusal", "mocking", "blocking", "canned_reply", "off_topic",
    "slow_average", "unanswered_sessions",
]  # fmt: skip


class Phrases(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    zh: list[str] = []
    en: list[str] = []

    def found_in(self, text: str) -> str | None:
        """The first phrase the text contains (English case-insensitively), or None."""
        lower = text.lower()
        return next((p for p in self.zh if p in text), None) or next(
            (p for p in self.en if p.lower() in lower), None
        )


class ServiceFindings(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The pack section ``rules.service_findings``."""

    wait: Phrases
    wait_silence_minutes: int  # service minutes after "please wait" with the question open
    refusal: Phrases
    reasons: Phrases  # a refusal that gives one of these is not flat
    flat_refusal_max_chars: int
    mocking: Phrases
    blocking: Phrases  # agent or system lines saying the consumer was blocked
    canned_min_questions: int  # one agent text answering this many different questions a day
    # A concrete question (its keyword intent) answered with none of its topic's words.
    on_topic: dict[str, Phrases] = {}
    # Per merchant-day, conversations started in service hours (``findings_daily``).
    slow_average_seconds: int | None = None  # average round response over this ...
    slow_min_rounds: int = 10  # ... over at least this many rounds
    unanswered_min_sessions: int | None = None  # conversations never answered, at least

    def check(self, currency: str) -> None:
        del currency
        if self.wait_silence_minutes < 1 or self.flat_refusal_max_chars < 1:
            raise ValueError("wait_silence_minutes and flat_refusal_max_chars must be >= 1")
        if self.canned_min_questions < 2:
            raise ValueError("canned_min_questions must be at least 2")
        for name in ("wait", "refusal", "mocking", "blocking"):
            p: Phrases = getattr(self, name)
            if not (p.zh or p.en):
                raise ValueError(f"{name}: name at least one phrase")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: ServiceFindings}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    merchant_id: str
    at: dt.datetime
    conversation_ids: tuple[str, ...]
    evidence: tuple[Line, ...]
    why: str  # the phrase matched, or the measure that made it
    facts: dict[str, object] = field(default_factory=dict)

    @property
    def rule_id(self) -> str:
        return f"{RULE_ID}.{self.kind}"

    @property
    def finding_id(self) -> str:
        return f"{self.merchant_id}:{self.kind}:{self.conversation_ids[0]}:{self.at.isoformat()}"


def _line(c: Conversation, line: Line, kind: FindingKind, why: str, **facts: object) -> Finding:
    return Finding(kind, c.merchant_id, line.at, (c.conversation_id,), (line,), why, facts)


def in_conversation(
    c: Conversation, rules: ServiceFindings, hours: BusinessCalendar, now: dt.datetime
) -> list[Finding]:
    """The findings one conversation's own lines make, as of ``now``."""
    out: list[Finding] = []
    lines = sorted((x for x in c.lines if x.at <= now), key=lambda x: x.at)
    for i, line in enumerate(lines):
        if line.sender in ("agent", "system") and (p := rules.blocking.found_in(line.text)):
            out.append(_line(c, line, "blocking", p))
        if line.sender != "agent":
            continue
        if p := rules.mocking.found_in(line.text):
            out.append(_line(c, line, "mocking", p))
        if (off := _off_topic(lines, i, rules)) is not None:
            out.append(Finding("off_topic", c.merchant_id, line.at, (c.conversation_id,),
                               (off[0], line), off[1], {"intent": off[1]}))  # fmt: skip
        refused = rules.refusal.found_in(line.text)
        if (
            refused
            and len(line.text) <= rules.flat_refusal_max_chars
            and rules.reasons.found_in(line.text) is None
        ):
            out.append(_line(c, line, "flat_refusal", refused, chars=len(line.text)))
        if waited := rules.wait.found_in(line.text):
            silence = _silence(lines, i, hours, now)
            if silence is not None and silence > rules.wait_silence_minutes * 60:
                nxt = next((x for x in lines[i + 1 :] if x.sender == "agent"), None)
                evidence = (line,) if nxt is None else (line, nxt)
                out.append(Finding("please_wait_silence", c.merchant_id, line.at,
                                   (c.conversation_id,), evidence, waited,
                                   {"silent_service_seconds": silence}))  # fmt: skip
    return out


def _off_topic(lines: Sequence[Line], i: int, rules: ServiceFindings) -> tuple[Line, str] | None:
    """The question and its intent when agent line ``i`` is the first answer to a concrete
    question and says none of its topic's words (a wait or a refusal is judged elsewhere)."""
    line = lines[i]
    if i == 0 or lines[i - 1].sender != "consumer" or not rules.on_topic:
        return None
    if rules.wait.found_in(line.text) or rules.refusal.found_in(line.text):
        return None
    question = lines[i - 1]
    intent = intent_of(question.text)
    words = rules.on_topic.get(intent)
    if words is None or words.found_in(line.text):
        return None
    return question, intent


def _silence(
    lines: Sequence[Line], i: int, hours: BusinessCalendar, now: dt.datetime
) -> int | None:
    """Service seconds from the "please wait" to the agent's next line (or to ``now``) while a
    consumer question is open; None when nothing was open (a polite closing, not a wait)."""
    asked = any(x.sender == "consumer" for x in lines[: i + 1])
    if not asked:
        return None
    nxt = next((x for x in lines[i + 1 :] if x.sender == "agent"), None)
    end = now if nxt is None else nxt.at
    return hours.working_seconds_between(lines[i].at, end)


def canned(
    conversations: Iterable[Conversation], rules: ServiceFindings, zone: dt.tzinfo
) -> list[Finding]:
    """One agent text used to answer at least ``canned_min_questions`` different consumer
    questions of one merchant on one local day."""
    uses: dict[tuple[str, dt.date, str], list[tuple[Conversation, Line, Line]]] = defaultdict(list)
    for c in conversations:
        lines = sorted(c.lines, key=lambda x: x.at)
        question: Line | None = None
        for line in lines:
            if line.sender == "consumer":
                question = line
            elif line.sender == "agent" and question is not None and line.text:
                key = (c.merchant_id, line.at.astimezone(zone).date(), line.text)
                uses[key].append((c, question, line))
                question = None
    out: list[Finding] = []
    for (merchant, _, text), found in sorted(uses.items(), key=lambda kv: kv[0]):
        questions = {q.text for _, q, _ in found}
        if len(questions) < rules.canned_min_questions:
            continue
        found.sort(key=lambda x: x[2].at)
        evidence = tuple(x for _, q, a in found for x in (q, a))
        out.append(Finding("canned_reply", merchant, found[0][2].at,
                           tuple(dict.fromkeys(c.conversation_id for c, _, _ in found)),
                           evidence, text, {"questions": len(questions)}))  # fmt: skip
    return out
