"""The service read models (edge: the store): conversations and complaint tickets as the last
``anxin service run`` judged them, the platform's escalation queue and the merchants'
automatic-answer opt-ins; written by the run, read by the API and the CLI. Instants come out
in the zone given (the pack's).

Conversations and tickets are upserted (a re-run rewrites them as judged then); an escalation
row is written once and only resolving it changes it, so the queue keeps the reason and rule
ids it was escalated for.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.clock import from_us, to_us
from anxin.store import schema as t
from anxin.store.rows import upsert

CHUNK = 2_000


class SlaView(msgspec.Struct):
    kind: str
    round: int
    started_at: dt.datetime
    due_at: dt.datetime
    status: str  # active | hit | missed
    answered_at: dt.datetime | None = None


class ConversationView(msgspec.Struct):
    """A conversation as judged at ``judged_at``: ``status`` ``waiting`` while a consumer round
    is unanswered; ``first_response_seconds`` in service time."""

    conversation_id: str
    merchant_id: str
    consumer_id: str
    order_id: str | None
    started_at: dt.datetime
    rounds: int
    first_response_seconds: int | None
    status: str
    stars: int | None
    missed: int
    slas: list[SlaView]
    judged_at: dt.datetime
    escalation_id: str | None = None


class EscalationView(msgspec.Struct):
    """A queue row: the platform handles it by ``due_at`` (``overdue`` past it while open)."""

    escalation_id: str
    subject: str  # conversation | ticket
    subject_id: str
    merchant_id: str
    consumer_id: str
    order_id: str | None
    reason: str
    rule_ids: list[str]
    escalated_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    status: str  # open | resolved
    pack: str
    pack_version: str
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None


class AutoAnswerSetting(msgspec.Struct):
    merchant_id: str
    enabled: bool
    updated_at: dt.datetime | None = None
    updated_by: str | None = None


class NotFound(LookupError):
    pass


class AlreadyResolved(ValueError):
    pass


def opted_in(conn: sa.Connection) -> set[str]:
    """The merchants whose automatic answers are on."""
    a = t.service_auto_answer.c
    return set(conn.execute(sa.select(a.merchant_id).where(a.enabled == 1)).scalars())


def auto_answer(sql: sa.Engine, merchant_id: str) -> AutoAnswerSetting:
    a = t.service_auto_answer.c
    with sql.connect() as conn:
        row = conn.execute(
            sa.select(a.enabled, a.updated_at_us, a.updated_by).where(a.merchant_id == merchant_id)
        ).first()
    if row is None:
        return AutoAnswerSetting(merchant_id, False)
    return AutoAnswerSetting(merchant_id, bool(row[0]), from_us(row[1]), row[2])


def set_auto_answer(
    sql: sa.Engine, merchant_id: str, enabled: bool, by: str, at: dt.datetime
) -> AutoAnswerSetting:
    """Turn the merchant's automatic answers on or off (the latest setting wins)."""
    with sql.begin() as conn:
        row = {"merchant_id": merchant_id, "enabled": int(enabled), "updated_at_us": to_us(at),
               "updated_by": by}  # fmt: skip
        upsert(conn, t.service_auto_answer, [row])
    return AutoAnswerSetting(merchant_id, enabled, at, by)


def _escalation(row: Any, zone: dt.tzinfo, now: dt.datetime) -> EscalationView:
    due = from_us(row.due_at_us)
    resolved = None if row.resolved_at_us is None else from_us(row.resolved_at_us).astimezone(zone)
    return EscalationView(
        row.escalation_id, row.subject, row.subject_id, row.merchant_id, row.consumer_id,
        row.order_id, row.reason, json.loads(row.rule_ids),
        from_us(row.escalated_at_us).astimezone(zone), due.astimezone(zone),
        row.status == "open" and now > due, row.status, row.pack, row.pack_version, resolved,
        row.resolved_by, row.resolution,
    )  # fmt: skip


def escalations(
    sql: sa.Engine,
    zone: dt.tzinfo,
    now: dt.datetime,
    *,
    merchant_id: str | None = None,
    status: str | None = "open",
    limit: int = 100,
    offset: int = 0,
) -> list[EscalationView]:
    """The queue: soonest due first (then by id), optionally one merchant's or one status."""
    e = t.service_escalations.c
    q = sa.select(t.service_escalations).order_by(e.due_at_us, e.escalation_id)
    if merchant_id is not None:
        q = q.where(e.merchant_id == merchant_id)
    if status is not None:
        q = q.where(e.status == status)
    with sql.connect() as conn:
        rows = conn.execute(q.limit(limit).offset(offset)).all()
    return [_escalation(r, zone, now) for r in rows]


def resolve(
    sql: sa.Engine, escalation_id: str, by: str, resolution: str, at: dt.datetime, zone: dt.tzinfo
) -> EscalationView:
    """Close an open escalation with the platform's resolution."""
    e = t.service_escalations.c
    with sql.begin() as conn:
        done = conn.execute(
            t.service_escalations.update()
            .where(e.escalation_id == escalation_id, e.status == "open")
            .values(
                status="resolved", resolved_at_us=to_us(at), resolved_by=by, resolution=resolution
            )
        ).rowcount
        row = conn.execute(
            sa.select(t.service_escalations).where(e.escalation_id == escalation_id)
        ).first()
    if row is None:
        raise NotFound(escalation_id)
    if not done:
        raise AlreadyResolved(escalation_id)
    return _escalation(row, zone, at)


def conversations(
    sql: sa.Engine, zone: dt.tzinfo, merchant_id: str, *, limit: int = 100, offset: int = 0
) -> list[ConversationView]:
    """One merchant's conversations as last judged, latest started first."""
    c, e = t.service_conversations.c, t.service_escalations.c
    esc = sa.select(e.escalation_id).where(
        e.subject == "conversation", e.subject_id == c.conversation_id
    )
    q = (
        sa.select(t.service_conversations, esc.scalar_subquery().label("escalation_id"))
        .where(c.merchant_id == merchant_id)
        .order_by(c.started_at_us.desc(), c.conversation_id)
        .limit(limit)
        .offset(offset)
    )
    with sql.connect() as conn:
        rows = conn.execute(q).all()
    out = []
    for r in rows:
        slas = [msgspec.convert(s, SlaView) for s in json.loads(r.slas)]
        for s in slas:
            s.started_at, s.due_at = s.started_at.astimezone(zone), s.due_at.astimezone(zone)
            s.answered_at = None if s.answered_at is None else s.answered_at.astimezone(zone)
        out.append(ConversationView(
            r.conversation_id, r.merchant_id, r.consumer_id, r.order_id,
            from_us(r.started_at_us).astimezone(zone), r.rounds, r.first_response_seconds,
            r.status, r.stars, r.missed, slas, from_us(r.judged_at_us).astimezone(zone),
            r.escalation_id,
        ))  # fmt: skip
    return out
