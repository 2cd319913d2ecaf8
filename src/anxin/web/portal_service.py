"""Answering a consumer from the portal: the suggested replies for the conversation's order
(``anxin.service.replies.suggest``, the function behind ``POST /v1/service/suggest``), and the
chosen one sent as the merchant's ``chat.message`` (sender ``agent``) through the engine's
ingest, the path ``POST /v1/events`` takes: the answer is in the event log, so the next
``anxin service run`` judges the consumer's round answered."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import msgspec

from anxin.contract import events as ev
from anxin.guarantees.hall import OrderNotFound, load_hall
from anxin.service.autoanswer import intent_of, lang_of
from anxin.service.replies import Lang, Reply, suggest, templates
from anxin.web.portal_data import Line
from anxin.web.relay import relay

MAX_TEXT = 4000


@dataclass(frozen=True, slots=True)
class Suggestions:
    asked: str  # the intent of the consumer's last message ("other" when none is known)
    lang: Lang
    replies: list[Reply]  # the asked intent's first, then the others


def last_asked(found: list[Line]) -> tuple[str, Lang | None]:
    """The intent and language of the consumer's last message still waiting after the agent's
    last line, else of the consumer's last message ("other" and None when there is none)."""
    last_agent = max((i for i, x in enumerate(found) if x.sender == "agent"), default=-1)
    said = [x for x in found if x.sender == "consumer" and x.text]
    waiting = [x for x in found[last_agent + 1 :] if x.sender == "consumer" and x.text]
    chosen = waiting or said
    if not chosen:
        return "other", None
    return intent_of(chosen[-1].text), lang_of(chosen[-1].text)


def suggestions(state: Any, order_id: str, asked: str, lang: Lang) -> Suggestions | None:
    """Every intent's reply for the order, filled with its facts as of now (None: no order)."""
    engine = state.engine
    now = engine.clock.now()
    try:
        hall = load_hall(state.sql_engine, order_id, engine.book, now, engine.rules)
    except OrderNotFound:
        return None
    zone = engine.book.in_force_or_first(now).calendar.zone
    intents = sorted(templates(), key=lambda i: (i != asked, i))
    return Suggestions(asked, lang, [suggest(hall, i, lang, zone) for i in intents])


class NotSent(ValueError):
    pass


def send(
    state: Any, *, conversation_id: str, merchant_id: str, consumer_id: str,
    order_id: str | None, text: str, who: str,
) -> str:  # fmt: skip
    """Ingest the merchant's answer as a ``chat.message`` event; its message id."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT or "\x00" in text:
        raise NotSent("the reply is empty, too long or not text")
    now: dt.datetime = state.engine.clock.now()
    digest = hashlib.sha256(f"{conversation_id}\n{now.isoformat()}\n{text}".encode()).hexdigest()
    message_id = f"portal:{digest[:24]}"
    event = ev.ChatMessage(
        id=message_id, occurred_at=now, source=f"portal:{who}"[:128],
        payload=ev.ChatMessagePayload(
            conversation_id=conversation_id, message_id=message_id, merchant_id=merchant_id,
            consumer_id=consumer_id, sender="agent", order_id=order_id, text=text,
        ),
    )  # fmt: skip
    raw = msgspec.json.encode(event)
    with state.ingest_lock:
        report = state.engine.ingest([(0, raw)], source=f"portal:{who}"[:128])
    if report.accepted + report.duplicates != 1:
        codes = ", ".join(e.code for e in report.errors) or "held"
        raise NotSent(f"the reply was not accepted ({codes})")
    # The marketplace's chat delivers it to the consumer: the answer leaves through the outbox.
    relay(state.sql_engine, f"{message_id}:reply", "service.reply", f"consumer:{consumer_id}",
          now, {"conversation_id": conversation_id, "message_id": message_id,
                "merchant_id": merchant_id, "consumer_id": consumer_id, "order_id": order_id,
                "text": text, "sent_at": now.isoformat(), "sent_by": who})  # fmt: skip
    return message_id
