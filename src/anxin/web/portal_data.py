"""What the merchant portal reads, beside the API's own read models (which it calls directly):
the score's daily history, the orders behind one of its rates (``anxin.score.metrics``, the
expressions the score sums), the shop's privileges as the daily run left them, the clocks
running on its orders (pending deadlines: a payout fires when one comes due) and the tasks
anxin sent it, a conversation's lines, and its listings' verdicts."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.clock import from_us, to_us
from anxin.policy.pack import PolicyBook, PolicyPack
from anxin.store import schema as t
from anxin.store.kept import Kept, last_event

TASK_TOPIC = "merchant.task"
MAX_ROWS = 500


def known(sql: sa.Engine, merchant_id: str) -> bool:
    """Whether the store knows the merchant (registered, or with orders or a score)."""
    with sql.connect() as conn:
        for table in (t.merchant_state, t.order_state, t.merchant_scores):
            q = sa.select(sa.literal(1)).where(table.c.merchant_id == merchant_id).limit(1)
            if conn.execute(q).first() is not None:
                return True
    return False


@dataclass(frozen=True, slots=True)
class Day:
    day: str
    score: float
    stage: str


def history(sql: sa.Engine, merchant_id: str) -> list[Day]:
    """Every stored day's score, oldest first (the trend ``anxin score explain`` shows)."""
    s = t.merchant_scores.c
    with sql.connect() as conn:
        rows = conn.execute(
            sa.select(s.day, s.score, s.stage)
            .where(s.merchant_id == merchant_id)
            .order_by(s.day.desc())
            .limit(MAX_ROWS)
        ).all()
    return [Day(r.day, float(r.score), r.stage) for r in reversed(rows)]


def _score_pack(book: PolicyBook, version: str, at: dt.datetime) -> PolicyPack:
    """The version that scored the day, else the one in force then that defines the score."""
    having = [v for v in book.versions if v.rule("merchant_score") is not None]
    for v in having:
        if v.version == version:
            return v
    earlier = [v for v in having if v.effective_from <= at]
    return earlier[-1] if earlier else having[-1]


@dataclass(frozen=True, slots=True)
class Band:
    band: int  # as the explanation numbers it (0: the industry's worst)
    above: float | None  # the industry percentile it starts at (None: the bottom)
    below: float | None  # the percentile it ends at (None: the top)
    score: int


@dataclass(frozen=True, slots=True)
class Rules:
    """The score's definition that day, as a merchant reads it."""

    bands: list[Band]
    better: dict[str, bool]  # indicator → higher is better
    pickup: list[tuple[float | None, int]]  # (up to hours, score); None: any longer wait
    window_days: int


def score_rules(book: PolicyBook, version: str, at: dt.datetime) -> Rules:
    from anxin.score.run import score_config

    config = score_config(_score_pack(book, version, at))
    cuts: list[float | None] = [None, *config.bands.percentiles, None]
    bands = [Band(i, cuts[i], cuts[i + 1], s) for i, s in enumerate(config.bands.scores)]
    better = {k: i.higher_is_better for k, i in config.indicators.items()}
    pickup = [(s.up_to_hours, int(s.score)) for s in config.pickup.steps]
    return Rules(bands, better, pickup, config.window_days)


def order_indicators() -> frozenset[str]:
    from anxin.score.metrics import INDICATOR_SETS

    return frozenset(INDICATOR_SETS)


_BEHIND: Kept[list[dict[str, Any]]] = Kept()


def _score_stamp(sql: sa.Engine) -> tuple[int, int]:
    """What changes when the score's order facts could: the event log and the score runs."""
    with sql.connect() as conn:
        runs = conn.execute(sa.select(sa.func.count()).select_from(t.merchant_scores))
        return last_event(conn), int(runs.scalar_one())


def orders_behind(
    sql: sa.Engine, book: PolicyBook, merchant_id: str, indicator: str, as_of: dt.datetime,
    version: str,
) -> list[dict[str, Any]]:  # fmt: skip
    """The merchant's orders an indicator was measured over on the scored day, each with
    ``counted`` when it is in the rate's numerator: the same expression as ``anxin score
    orders`` and the score's own sums. Kept until the store changes (the expression opens its
    own Ibis connection: ~0.3 s on the demo store)."""
    slot = (id(sql), merchant_id, indicator, as_of, version)
    return _BEHIND.get(slot, _score_stamp(sql), lambda: _orders_behind(
        sql, book, merchant_id, indicator, as_of, version))  # fmt: skip


def _orders_behind(
    sql: sa.Engine, book: PolicyBook, merchant_id: str, indicator: str, as_of: dt.datetime,
    version: str,
) -> list[dict[str, Any]]:  # fmt: skip
    from anxin.score.engines import open_source
    from anxin.score.metrics import orders_behind as behind
    from anxin.score.run import ladder, score_config

    pack = _score_pack(book, version, as_of)
    config = score_config(pack)
    rungs, worst = ladder(config)
    url = sql.url.render_as_string(hide_password=False)
    with open_source("sqlite" if sql.dialect.name == "sqlite" else "postgres", db=url) as source:
        expr = behind(
            source.orders, merchant_id, indicator, to_us(as_of), config.window_days, rungs,
            worst, int(config.pickup.anomaly_or_fraud_score),
            bad_stars=config.bad_rating_max_stars,
        )  # fmt: skip
        rows: list[dict[str, Any]] = expr.to_pyarrow().to_pylist()
    for r in rows:
        for key in ("paid_at_us", "shipped_at_us", "signed_at_us"):
            value = r.pop(key)
            r[key.removesuffix("_us")] = from_us(value) if value is not None else None
    return rows


@dataclass(frozen=True, slots=True)
class PrivilegeRow:
    privilege: str
    name: str  # the marketplace's name (Chinese)
    granted: bool
    since_day: str
    reasons: list[dict[str, Any]]  # each condition: fact, op, value, actual, held


def privileges(sql: sa.Engine, pack: PolicyPack, merchant_id: str) -> list[PrivilegeRow]:
    """The shop's privileges as the daily run last evaluated them, with every condition."""
    config = pack.rule("privileges")
    names = {k: p.name for k, p in (config.privileges.items() if config else ())}
    p = t.merchant_privileges.c
    with sql.connect() as conn:
        rows = conn.execute(
            sa.select(p.privilege, p.granted, p.since_day, p.reasons)
            .where(p.merchant_id == merchant_id)
            .order_by(p.privilege)
        ).all()
    return [PrivilegeRow(r.privilege, names.get(r.privilege, ""), bool(r.granted), r.since_day,
                         json.loads(r.reasons)) for r in rows]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Clock:
    """A clock running on one of the shop's orders: when it comes due, the rule fires."""

    order_id: str
    rule_id: str
    due_at: dt.datetime
    data: dict[str, Any]


def _orders_of(merchant_id: str) -> Any:
    o = t.order_state.c
    return sa.select(("order:" + o.order_id).label("key")).where(o.merchant_id == merchant_id)


def clocks(sql: sa.Engine, zone: dt.tzinfo, merchant_id: str) -> list[Clock]:
    """The engine's pending deadlines on the shop's orders, soonest first."""
    d = t.deadlines.c
    mine = _orders_of(merchant_id).subquery()
    q = (
        sa.select(d.aggregate_key, d.rule_id, d.due_at_us, d.data)
        .where(d.status == "pending", d.aggregate_key.in_(sa.select(mine.c.key)))
        .order_by(d.due_at_us, d.deadline_id)
        .limit(MAX_ROWS)
    )
    with sql.connect() as conn:
        rows = conn.execute(q).all()
    return [Clock(r.aggregate_key.removeprefix("order:"), r.rule_id,
                  from_us(r.due_at_us).astimezone(zone), json.loads(r.data or "{}"))
            for r in rows]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Task:
    """What anxin asked the shop to do (a ``merchant.task`` message)."""

    message_id: str
    order_id: str
    task: str
    created_at: dt.datetime
    due_at: dt.datetime | None
    carrier: str | None
    tracking_number: str | None


def tasks(sql: sa.Engine, zone: dt.tzinfo, merchant_id: str) -> list[Task]:
    """The ``merchant.task`` messages about the shop's orders, newest first."""
    o = t.outbox.c
    mine = _orders_of(merchant_id).subquery()
    q = (
        sa.select(o.message_id, o.created_at_us, o.body)
        .where(o.topic == TASK_TOPIC, o.aggregate_key.in_(sa.select(mine.c.key)))
        .order_by(o.created_at_us.desc(), o.message_id)
        .limit(MAX_ROWS)
    )
    with sql.connect() as conn:
        rows = conn.execute(q).all()
    out = []
    for r in rows:
        body = json.loads(r.body)
        due = body.get("due_at")
        out.append(Task(
            r.message_id, body.get("order_id", ""), body.get("task", ""),
            from_us(r.created_at_us).astimezone(zone),
            dt.datetime.fromisoformat(due).astimezone(zone) if due else None,
            body.get("carrier"), body.get("tracking_number"),
        ))  # fmt: skip
    return out


@dataclass(frozen=True, slots=True)
class Talk:
    """A conversation of the shop, as the service run last stored it."""

    conversation_id: str
    consumer_id: str
    order_id: str | None
    status: str


def conversation(sql: sa.Engine, merchant_id: str, conversation_id: str) -> Talk | None:
    """The shop's conversation (None: none of that id is the shop's)."""
    c = t.service_conversations.c
    with sql.connect() as conn:
        r = conn.execute(
            sa.select(c.consumer_id, c.order_id, c.status).where(
                c.conversation_id == conversation_id, c.merchant_id == merchant_id
            )
        ).first()
    return None if r is None else Talk(conversation_id, r.consumer_id, r.order_id, r.status)


@dataclass(frozen=True, slots=True)
class Line:
    message_id: str
    sender: str
    text: str
    at: dt.datetime


_CHAT = msgspec.json.Decoder(dict[str, Any])


def lines(sql: sa.Engine, zone: dt.tzinfo, conversation_id: str) -> list[Line]:
    """The conversation's messages as the event log holds them, in order."""
    e = t.events.c
    q = (
        sa.select(e.body, e.occurred_at_us)
        # The literal lets both planners see the partial index ``ix_events_chat`` applies.
        .where(
            e.partition_key == f"chat:{conversation_id}",
            e.type == sa.literal_column("'chat.message'"),
        )
        .order_by(e.occurred_at_us, e.seq)
        .limit(MAX_ROWS)
    )
    with sql.connect() as conn:
        rows = conn.execute(q).all()
    out = []
    for r in rows:
        p = _CHAT.decode(r.body).get("payload", {})
        out.append(Line(p.get("message_id", ""), p.get("sender", ""), p.get("text", ""),
                        from_us(r.occurred_at_us).astimezone(zone)))  # fmt: skip
    return out


def verdicts(sql: sa.Engine, merchant_id: str) -> list[dict[str, Any]]:
    """The shop's listings whose last verdict is not a pass, with their hits (as
    ``GET /v1/merchants/{id}/listings/verdicts`` answers)."""
    v = t.listing_verdicts.c
    with sql.connect() as conn:
        rows = conn.execute(
            sa.select(v.listing_id, v.verdict, v.hits, v.decided_by, v.pack, v.pack_version)
            .where(v.merchant_id == merchant_id, v.verdict != "pass")
            .order_by(v.listing_id)
        ).all()
    return [{"listing_id": r.listing_id, "verdict": r.verdict, "hits": json.loads(r.hits),
             "decided_by": r.decided_by, "pack": r.pack, "version": r.pack_version}
            for r in rows]  # fmt: skip
