"""Read the counters enforcement judges from the store: order states, chat events, merchants.

Each order is counted under the pack in force when it was paid (its binding promise), with the
enforcement section in force at the run; chats are counted on the day they started.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import msgspec
import sqlalchemy as sa

from anxin.contract import events as ev
from anxin.domain import merchant as merchant_fold
from anxin.domain.order import decode_state
from anxin.enforcement.config import EnforcementConfig
from anxin.enforcement.facts import (
    ChatLine,
    MerchantDays,
    MerchantFacts,
    add_conversation,
    add_order,
)
from anxin.policy.pack import PolicyBook
from anxin.score.formula import chat_session_counts
from anxin.store import schema as t
from anxin.store.pages import pages


def merchant_days(
    sql: sa.Engine, book: PolicyBook, config: EnforcementConfig, as_of: dt.datetime
) -> MerchantDays:
    out: MerchantDays = {}
    with sql.connect() as conn:
        for (raw,) in conn.execute(sa.select(t.merchant_state.c.state)):
            m = merchant_fold.decode_state(raw)
            out.setdefault(m.merchant_id, MerchantFacts()).industry = m.industry or ""
        c = t.order_state.c
        for part in pages(conn, c.order_id, c.state):
            for raw in part:
                state = decode_state(raw)
                if state.paid_at is None or state.paid_at > as_of:
                    continue
                add_order(out, state, book.in_force_or_first(state.paid_at), config, as_of)
        _chats(conn, book, out, as_of)
    return out


def _chats(conn: sa.Connection, book: PolicyBook, out: MerchantDays, as_of: dt.datetime) -> None:
    lines: dict[str, list[ChatLine]] = defaultdict(list)
    owner: dict[str, str] = {}
    e = t.events.c
    decode = msgspec.json.Decoder(ev.ChatMessage).decode
    for part in pages(conn, e.seq, e.body, e.type == "chat.message"):
        for body in part:
            event = decode(body)
            if event.occurred_at > as_of:
                continue
            p = event.payload
            owner.setdefault(p.conversation_id, p.merchant_id)
            if p.sender in ("consumer", "agent"):  # bots and system lines are not rounds
                lines[p.conversation_id].append(ChatLine(event.occurred_at, p.sender))
    pack = book.latest
    facts = pack.rule("score_facts")
    for conversation_id, merchant_id in owner.items():
        got = lines.get(conversation_id, [])
        # Service is judged in the pack's service hours (08:00-22:59:59 on Douyin, §1.2 and
        # §5.1): a question asked at night waits for the morning without counting against it.
        if got and facts is not None:
            start = min(line.at for line in got)
            if not chat_session_counts(
                start, book.in_force_or_first(start).calendar.zone, facts.clocks
            ):
                continue
        add_conversation(out, merchant_id, got, book.in_force_or_first(got[0].at) if got else pack)
