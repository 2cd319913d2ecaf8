"""Automatic answers in the merchant's name (issue 14), the pure part: which consumer messages
are still waiting, what they ask (a keyword table in data, ``keywords.yaml``, Chinese and
English) and in which language; the run (``anxin.service.run``) fills the reply from the
order's guarantee hall and sends it once, for merchants that opted in.

Only intents whose templates mark ``settles: true`` (the parcel's place, when it ships, the
refund's state) are answered: the order's facts answer those; anything else waits for a person.
An automatic answer does not answer the round for the reply SLA: the platforms count a human
reply (Tmall's 人工响应率, platform-rules.md §1.7), so the clock keeps running.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import msgspec
import yaml

from anxin.service.conversations import Conversation
from anxin.service.replies import Lang, Templates
from anxin.service.sla import Line

_HAN = re.compile(r"[\u3400-\u9fff]")


class KeywordIntent(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    intent: str
    zh: list[str] = []
    en: list[str] = []


@cache
def keywords() -> tuple[KeywordIntent, ...]:
    """The packaged keyword table, in its order."""
    text = resources.files("anxin.service").joinpath("keywords.yaml").read_text("utf-8")
    return tuple(msgspec.convert(yaml.safe_load(text), list[KeywordIntent]))


def intent_of(text: str, table: tuple[KeywordIntent, ...] | None = None) -> str:
    """The first intent of the table one of whose keywords ``text`` contains; else ``other``."""
    lower = text.lower()
    for row in keywords() if table is None else table:
        if any(k in text for k in row.zh) or any(k.lower() in lower for k in row.en):
            return row.intent
    return "other"


def lang_of(text: str) -> Lang:
    """Chinese when the message has a Han character, else English."""
    return "zh" if _HAN.search(text) else "en"


def settling(found: Templates) -> frozenset[str]:
    """The intents with a template whose facts settle the question."""
    return frozenset(i for i, vs in found.items() if any(t.settles for t in vs.values()))


@dataclass(frozen=True, slots=True)
class Waiting:
    """A consumer message still unanswered, with what it asks."""

    conversation: Conversation
    line: Line
    intent: str
    lang: Lang

    @property
    def message_id(self) -> str:
        return f"auto:{self.conversation.conversation_id}:{self.line.message_id}"


def to_answer(c: Conversation, settles: frozenset[str], now: dt.datetime) -> Waiting | None:
    """The first consumer message after the agent's last line (as of ``now``) whose intent the
    facts settle, on a conversation about an order; None when there is nothing to answer."""
    if c.order_id is None:
        return None
    lines = sorted((x for x in c.lines if x.at <= now), key=lambda x: x.at)
    last_agent = max((i for i, x in enumerate(lines) if x.sender == "agent"), default=-1)
    for line in lines[last_agent + 1 :]:
        if line.sender != "consumer":
            continue
        intent = intent_of(line.text)
        if intent in settles:
            return Waiting(c, line, intent, lang_of(line.text))
    return None
