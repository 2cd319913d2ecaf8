"""Pull delivery (for ``GET /v1/outbox?after=&limit=`` and ``POST /v1/outbox/ack``): pages of
envelopes by ``seq`` (gap-free: sequenced after commit, see ``store.advance``) and per-consumer
acknowledgements. The HTTP wiring is not written yet."""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa

from anxin.clock import from_us
from anxin.delivery.messages import Envelope
from anxin.delivery.store import advance
from anxin.delivery.topics import schema_name
from anxin.store import schema as t

MAX_PAGE = 1_000


def list_after(sql: sa.Engine, after: int, limit: int, now_us: int) -> tuple[list[Envelope], int]:
    """Messages with ``seq > after``, oldest first, and the cursor for the next page."""
    advance(sql, now_us)
    o = t.outbox.c
    q = (
        sa.select(o.message_id, o.topic, o.aggregate_key, o.seq, o.created_at_us, o.body)
        .where(o.seq > after)
        .order_by(o.seq)
        .limit(max(1, min(limit, MAX_PAGE)))
    )
    with sql.connect() as conn:
        page = [
            Envelope(mid, topic, schema_name(topic), key, seq, from_us(at), json.loads(body))
            for mid, topic, key, seq, at, body in conn.execute(q)
        ]
    return page, page[-1].sequence if page else after


def ack(sql: sa.Engine, consumer: str, message_ids: Sequence[str], now_us: int) -> int:
    """Record that ``consumer`` handled these messages; returns how many were new."""
    a = t.outbox_acks.c
    ids = sorted(set(message_ids))
    with sql.begin() as conn:
        known = set(
            conn.execute(
                sa.select(t.outbox.c.message_id).where(t.outbox.c.message_id.in_(ids))
            ).scalars()
        )
        done = set(
            conn.execute(
                sa.select(a.message_id).where(a.consumer == consumer, a.message_id.in_(ids))
            ).scalars()
        )
        fresh = [m for m in ids if m in known and m not in done]
        if fresh:
            conn.execute(
                t.outbox_acks.insert(),
                [{"consumer": consumer, "message_id": m, "acked_at_us": now_us} for m in fresh],
            )
    return len(fresh)
