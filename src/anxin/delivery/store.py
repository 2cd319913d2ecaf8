"""Delivery state in the store: endpoints, the outbox sequencer, delivery rows, claims, pull.

The engine only inserts outbox rows; everything here runs beside it (hot path untouched).
``advance`` gives new outbox rows their ``seq`` (under the sequencer row's lock, so sequence
order is commit order and a cursor never skips a late commit) and creates one ``deliveries``
row per subscribed endpoint. ``claim`` leases due partition heads: PostgreSQL takes them with
``FOR UPDATE SKIP LOCKED``; SQLite serializes writers with ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from anxin.delivery.envelope import check_secret, new_secret
from anxin.delivery.topics import wants
from anxin.store import schema as t

SEQUENCER = "outbox"
ADVANCE_CHUNK = 2_000  # outbox rows sequenced per transaction
IN_CHUNK = 500  # ids per ``IN (…)`` list (well under SQLite's and psycopg's parameter limits)
STATUSES = ("pending", "delivered", "failed", "cancelled")


@dataclass(frozen=True)
class Endpoint:
    endpoint_id: str
    url: str
    types: list[str]
    created_at_us: int
    secret: str = ""  # filled only for the dispatcher, never listed


@dataclass(frozen=True)
class Claimed:
    """A leased delivery with everything needed to send it."""

    message_id: str
    endpoint_id: str
    url: str
    secret: str
    topic: str
    aggregate_key: str
    created_at_us: int
    seq: int
    body: str
    attempts: int
    first_attempt_at_us: int | None


@dataclass(frozen=True)
class Outcome:
    """What the dispatcher decided after one attempt."""

    message_id: str
    endpoint_id: str
    attempted_at_us: int
    first_attempt_at_us: int
    delivered: bool
    next_attempt_at_us: int | None  # None with delivered=False: the delivery failed for good
    error: str | None


@contextmanager
def writing(sql: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction; on SQLite ``BEGIN IMMEDIATE`` takes the write lock up front, so two
    dispatchers never read the same due rows and then both claim them."""
    with sql.connect() as conn:
        if sql.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


# ------------------------------------------------------------------------------- endpoints


def add_endpoint(
    sql: sa.Engine, url: str, types: Sequence[str], now_us: int, secret: str | None = None
) -> tuple[Endpoint, str]:
    """Subscribe ``url``; returns the endpoint and its secret (generated when not given)."""
    if not url.startswith(("http://", "https://")):
        raise ValueError("a webhook URL starts with http:// or https://")
    secret = check_secret(secret) if secret else new_secret()
    endpoint = Endpoint(f"ep_{secrets.token_hex(8)}", url, list(types), now_us)
    with sql.begin() as conn:
        conn.execute(
            t.webhook_endpoints.insert().values(
                endpoint_id=endpoint.endpoint_id,
                url=url,
                secret=secret,
                types=json.dumps(endpoint.types),
                created_at_us=now_us,
                removed_at_us=None,
            )
        )
    return endpoint, secret


def _active(conn: sa.Connection, with_secret: bool = False) -> list[Endpoint]:
    e = t.webhook_endpoints.c
    rows = conn.execute(
        sa.select(e.endpoint_id, e.url, e.types, e.created_at_us, e.secret)
        .where(e.removed_at_us.is_(None))
        .order_by(e.created_at_us, e.endpoint_id)
    )
    return [
        Endpoint(eid, url, json.loads(types), created, secret if with_secret else "")
        for eid, url, types, created, secret in rows
    ]


def list_endpoints(sql: sa.Engine) -> list[Endpoint]:
    with sql.connect() as conn:
        return _active(conn)


def remove_endpoint(sql: sa.Engine, endpoint_id: str, now_us: int) -> bool:
    """Unsubscribe; its pending deliveries are cancelled (delivered history stays)."""
    e, d = t.webhook_endpoints.c, t.deliveries.c
    with sql.begin() as conn:
        gone = conn.execute(
            sa.update(t.webhook_endpoints)
            .where(e.endpoint_id == endpoint_id, e.removed_at_us.is_(None))
            .values(removed_at_us=now_us)
        ).rowcount
        conn.execute(
            sa.update(t.deliveries)
            .where(d.endpoint_id == endpoint_id, d.status == "pending")
            .values(status="cancelled", last_error="endpoint removed", claim_token=None)
        )
    return gone == 1


# ----------------------------------------------------------------------------- sequencing


def advance(sql: sa.Engine, now_us: int) -> int:
    """Sequence every new outbox row and fan it out to its endpoints; returns how many."""
    total = 0
    while True:
        done = advance_chunk(sql, now_us)
        total += done
        if done < ADVANCE_CHUNK:
            return total


def advance_chunk(sql: sa.Engine, now_us: int) -> int:
    """Sequence (and fan out) up to ADVANCE_CHUNK new outbox rows in one transaction; fewer
    than that means none are left."""
    with writing(sql) as conn:
        return _advance_chunk(conn, now_us)


def _advance_chunk(conn: sa.Connection, now_us: int) -> int:
    s, o = t.outbox_sequencer.c, t.outbox.c
    lock = sa.select(s.last_seq).where(s.name == SEQUENCER)
    if conn.dialect.name == "postgresql":
        lock = lock.with_for_update()
    last = conn.execute(lock).scalar()
    if last is None:
        if conn.dialect.name == "postgresql":  # first use: create the lock row, race-free
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            conn.execute(
                pg_insert(t.outbox_sequencer)
                .values(name=SEQUENCER, last_seq=0)
                .on_conflict_do_nothing()
            )
            last = conn.execute(lock).scalar_one()
        else:
            conn.execute(t.outbox_sequencer.insert().values(name=SEQUENCER, last_seq=0))
            last = 0
    rows = conn.execute(
        sa.select(o.message_id, o.topic, o.aggregate_key)
        .where(o.seq.is_(None))
        .order_by(o.created_at_us, o.message_id)
        .limit(ADVANCE_CHUNK)
    ).all()
    if not rows:
        return 0
    endpoints = _active(conn)
    seqs = []
    fanout = []
    for i, (message_id, topic, key) in enumerate(rows, start=last + 1):
        seqs.append({"mid": message_id, "seq": i})
        for ep in endpoints:
            if wants(ep.types, topic):
                fanout.append(
                    {
                        "message_id": message_id,
                        "endpoint_id": ep.endpoint_id,
                        "seq": i,
                        "aggregate_key": key,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at_us": now_us,
                        "created_at_us": now_us,
                    }
                )
    conn.execute(
        sa.update(t.outbox)
        .where(o.message_id == sa.bindparam("mid"))
        .values(seq=sa.bindparam("seq"), dispatched_at_us=now_us),
        seqs,
    )
    if fanout:
        conn.execute(t.deliveries.insert(), fanout)
    conn.execute(
        sa.update(t.outbox_sequencer).where(s.name == SEQUENCER).values(last_seq=last + len(rows))
    )
    return len(rows)


# --------------------------------------------------------------------------------- claims


def claim(
    sql: sa.Engine, now_us: int, lease_us: int, limit: int, *, due_us: int | None = None
) -> tuple[str, list[Claimed]]:
    """Lease up to ``limit`` deliveries due at ``due_us`` (default ``now_us``), each the earliest
    pending one of its partition (endpoint, aggregate): a later message waits while an earlier
    one is pending or retrying. Leases expired at ``now_us`` are taken over."""
    due_us = now_us if due_us is None else due_us
    d, o, e = t.deliveries.c, t.outbox.c, t.webhook_endpoints.c
    earlier = t.deliveries.alias("earlier")
    # The partition's earliest pending seq, as a correlated scalar subquery: run per
    # candidate on ix_deliveries_partition whatever the statistics say. (A NOT EXISTS anti
    # join was planned as a nested loop over every pending row by PostgreSQL right after a
    # burst of new rows, before autovacuum analyzed them: 0.47 s per claim of 500 at 5,000.)
    head = d.seq == (
        sa.select(sa.func.min(earlier.c.seq))
        .where(
            earlier.c.endpoint_id == d.endpoint_id,
            earlier.c.aggregate_key == d.aggregate_key,
            earlier.c.status == "pending",
        )
        .scalar_subquery()
    )
    q = (
        sa.select(d.message_id, d.endpoint_id)
        .where(
            d.status == "pending",
            d.next_attempt_at_us <= due_us,
            sa.or_(d.claimed_until_us.is_(None), d.claimed_until_us <= now_us),
            head,
        )
        .order_by(d.next_attempt_at_us, d.seq)
        .limit(limit)
    )
    token = secrets.token_hex(8)
    with writing(sql) as conn:
        if conn.dialect.name == "postgresql":  # concurrent dispatchers take disjoint rows
            q = q.with_for_update(skip_locked=True, of=t.deliveries)
        keys = [(m, ep) for m, ep in conn.execute(q)]
        if not keys:
            return token, []
        for endpoint_id, ids in _by_endpoint(keys):
            conn.execute(
                sa.update(t.deliveries)
                .where(d.endpoint_id == endpoint_id, d.message_id.in_(ids))
                .values(claimed_until_us=now_us + lease_us, claim_token=token)
            )
        rows = conn.execute(
            sa.select(
                d.message_id,
                d.endpoint_id,
                e.url,
                e.secret,
                o.topic,
                o.aggregate_key,
                o.created_at_us,
                d.seq,
                o.body,
                d.attempts,
                d.first_attempt_at_us,
            )
            .join(t.outbox, o.message_id == d.message_id)
            .join(t.webhook_endpoints, e.endpoint_id == d.endpoint_id)
            .where(d.claim_token == token)
            .order_by(d.seq)
        ).all()
    return token, [Claimed(*row) for row in rows]


def _by_endpoint(keys: Sequence[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """(endpoint id, message ids) groups of at most IN_CHUNK ids, for ``IN`` updates."""
    groups: dict[str, list[str]] = {}
    for message_id, endpoint_id in keys:
        groups.setdefault(endpoint_id, []).append(message_id)
    for endpoint_id, ids in groups.items():
        for i in range(0, len(ids), IN_CHUNK):
            yield endpoint_id, ids[i : i + IN_CHUNK]


def record(sql: sa.Engine, token: str, outcomes: Sequence[Outcome]) -> int:
    """Write attempts' outcomes; only rows still under ``token`` (an expired lease taken over
    by another dispatcher is theirs now). Returns rows written.

    Deliveries (the common case) are one ``UPDATE … IN`` per endpoint and instant; failures
    one executemany."""
    if not outcomes:
        return 0
    d = t.deliveries.c
    delivered: dict[int, list[tuple[str, str]]] = {}
    params = []
    for x in outcomes:
        if x.delivered:
            delivered.setdefault(x.attempted_at_us, []).append((x.message_id, x.endpoint_id))
            continue
        params.append(
            {
                "mid": x.message_id,
                "eid": x.endpoint_id,
                "tok": token,
                "st": "pending" if x.next_attempt_at_us else "failed",
                "first": x.first_attempt_at_us,
                "next": x.next_attempt_at_us or x.attempted_at_us,
                "err": x.error,
            }
        )
    written = 0
    with writing(sql) as conn:
        for at_us, keys in delivered.items():
            for endpoint_id, ids in _by_endpoint(keys):
                written += conn.execute(
                    sa.update(t.deliveries)
                    .where(
                        d.endpoint_id == endpoint_id,
                        d.message_id.in_(ids),
                        d.claim_token == token,
                    )
                    .values(
                        status="delivered",
                        attempts=d.attempts + 1,
                        # what the dispatcher read under this claim, or this attempt
                        first_attempt_at_us=sa.func.coalesce(d.first_attempt_at_us, at_us),
                        next_attempt_at_us=at_us,
                        last_error=None,
                        delivered_at_us=at_us,
                        claimed_until_us=None,
                        claim_token=None,
                    )
                ).rowcount
        if params:
            failed = (
                sa.update(t.deliveries)
                .where(
                    d.message_id == sa.bindparam("mid"),
                    d.endpoint_id == sa.bindparam("eid"),
                    d.claim_token == sa.bindparam("tok"),
                )
                .values(
                    status=sa.bindparam("st"),
                    attempts=d.attempts + 1,
                    first_attempt_at_us=sa.bindparam("first"),
                    next_attempt_at_us=sa.bindparam("next"),
                    last_error=sa.bindparam("err"),
                    delivered_at_us=None,
                    claimed_until_us=None,
                    claim_token=None,
                )
            )
            written += conn.execute(failed, params).rowcount
    return written


def release(sql: sa.Engine, token: str, keys: Sequence[tuple[str, str]]) -> int:
    """Give back claimed (message id, endpoint id) rows not attempted: claimable again at once,
    no attempt counted. Only rows still under ``token``. Returns rows released."""
    if not keys:
        return 0
    d = t.deliveries.c
    stmt = (
        sa.update(t.deliveries)
        .where(
            d.message_id == sa.bindparam("mid"),
            d.endpoint_id == sa.bindparam("eid"),
            d.claim_token == sa.bindparam("tok"),
        )
        .values(claimed_until_us=None, claim_token=None)
    )
    with writing(sql) as conn:
        result = conn.execute(stmt, [{"mid": m, "eid": e, "tok": token} for m, e in keys])
    return int(result.rowcount)


# ------------------------------------------------------------------------ listing, replay


@dataclass(frozen=True)
class DeliveryRow:
    message_id: str
    endpoint_id: str
    topic: str
    aggregate_key: str
    seq: int
    status: str
    attempts: int
    next_attempt_at_us: int
    last_error: str | None
    delivered_at_us: int | None


def list_deliveries(
    sql: sa.Engine, status: str | None = None, limit: int = 100
) -> list[DeliveryRow]:
    d, o = t.deliveries.c, t.outbox.c
    q = (
        sa.select(
            d.message_id,
            d.endpoint_id,
            o.topic,
            d.aggregate_key,
            d.seq,
            d.status,
            d.attempts,
            d.next_attempt_at_us,
            d.last_error,
            d.delivered_at_us,
        )
        .join(t.outbox, o.message_id == d.message_id)
        .order_by(d.seq, d.endpoint_id)
        .limit(limit)
    )
    if status is not None:
        q = q.where(d.status == status)
    with sql.connect() as conn:
        return [DeliveryRow(**row) for row in conn.execute(q).mappings()]


def replay(
    sql: sa.Engine, now_us: int, message_id: str | None = None, *, failed: bool = False
) -> int:
    """Queue again: one message's deliveries (any status but cancelled), or every failed one.
    Attempts start over; the message keeps its id, so receivers still dedupe on it."""
    d = t.deliveries.c
    if message_id is not None:
        where = sa.and_(d.message_id == message_id, d.status.in_(("delivered", "failed")))
    elif failed:
        where = d.status == "failed"
    else:
        raise ValueError("replay needs a message id or failed=True")
    with writing(sql) as conn:
        result = conn.execute(
            sa.update(t.deliveries)
            .where(where)
            .values(
                status="pending",
                attempts=0,
                first_attempt_at_us=None,
                next_attempt_at_us=now_us,
                delivered_at_us=None,
                claimed_until_us=None,
                claim_token=None,
            )
        )
    return int(result.rowcount)


def counts(sql: sa.Engine) -> dict[str, int]:
    d = t.deliveries.c
    with sql.connect() as conn:
        rows = conn.execute(sa.select(d.status, sa.func.count()).group_by(d.status))
        return {status: int(n) for status, n in rows}


def due_count(sql: sa.Engine, now_us: int) -> int:
    d = t.deliveries.c
    with sql.connect() as conn:
        q = sa.select(sa.func.count()).where(d.status == "pending", d.next_attempt_at_us <= now_us)
        return int(conn.execute(q).scalar_one())
