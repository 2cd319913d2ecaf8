"""Builders for the presale-gate tests: order placements as raw events, measures and grants on
either store (the in-memory fake, or the SQL tables the daily run and enforcement write)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.clock import to_us
from anxin.delivery.messages import PresaleFlagged
from anxin.domain.effects import Decision, OutboxMessage
from anxin.domain.standing import Measure
from anxin.engine.memory import MemoryStore
from anxin.store import schema as t

ZONE = dt.timezone(dt.timedelta(hours=8))
T = dt.datetime(2026, 10, 14, 10, 0, tzinfo=ZONE)  # douyin 2026-08-10 is in force
SECOND = dt.timedelta(seconds=1)
DAY = dt.timedelta(days=1)
WITHDRAW_PRESALE = frozenset({"presale_off", "sales_restricted", "suspension", "expulsion"})


def placed(
    order_id: str,
    merchant_id: str,
    at: dt.datetime,
    *,
    presale: bool = True,
    event_id: str | None = None,
) -> bytes:
    payload: dict[str, Any] = {
        "order_id": order_id,
        "merchant_id": merchant_id,
        "consumer_id": f"C-{order_id}",
        "items": [{"sku": "SKU1", "quantity": 1, "unit_price": _yuan(99)}],
        "amount": _yuan(99),
    }
    if presale:
        payload["presale_ship_by"] = (at + 10 * DAY).isoformat()
    event = {
        "type": "order.placed",
        "id": event_id or f"{order_id}-placed",
        "occurred_at": at.isoformat(),
        "source": "test",
        "payload": payload,
    }
    return json.dumps(event).encode()


def _yuan(n: int) -> dict[str, Any]:
    return {"amount": n * 100, "currency": "CNY"}


def measure(
    measure_id: str,
    kind: str,
    starts: dt.datetime,
    ends: dt.datetime | None,
) -> Measure:
    return Measure(measure_id, kind, to_us(starts), None if ends is None else to_us(ends))


def seed_memory(
    store: MemoryStore,
    grants: dict[str, bool],
    measures: list[tuple[str, Measure, str]],
) -> None:
    for merchant, granted in grants.items():
        store.set_privilege(merchant, "presale", granted, "2026-10-01")
    for merchant, m, status in measures:
        store.set_measure(merchant, m, status)


def seed_sql(
    sql: sa.Engine,
    grants: dict[str, bool],
    measures: list[tuple[str, Measure, str]],
) -> None:
    """Rows as the daily privilege run and enforcement write them."""
    with sql.begin() as conn:
        if grants:
            conn.execute(
                t.merchant_privileges.insert(),
                [
                    {"merchant_id": m, "privilege": "presale", "granted": int(g),
                     "since_day": "2026-10-01", "reasons": "[]"}
                    for m, g in grants.items()
                ],
            )  # fmt: skip
        if measures:
            conn.execute(
                t.measures.insert(),
                [
                    {"measure_id": x.measure_id, "violation_id": f"v-{x.measure_id}",
                     "merchant_id": merchant, "kind": x.kind, "starts_at_us": x.starts_at_us,
                     "ends_at_us": x.ends_at_us, "lift": "expiry", "amount": None,
                     "currency": None, "status": status, "lifted_at_us": None,
                     "explanation": "{}"}
                    for merchant, x, status in measures
                ],
            )  # fmt: skip


def sql_flags(sql: sa.Engine) -> tuple[list[tuple[str, str, str]], list[dict[str, Any]]]:
    """(decision id, kind, explanation) of the gate's decisions, and its messages' bodies."""
    with sql.connect() as conn:
        decisions = conn.execute(
            sa.select(t.decisions.c.decision_id, t.decisions.c.kind, t.decisions.c.explanation)
            .where(t.decisions.c.rule_id == "presale_gate")
            .order_by(t.decisions.c.decision_id)
        ).all()
        bodies = conn.execute(
            sa.select(t.outbox.c.body)
            .where(t.outbox.c.topic == "order.presale_flagged")
            .order_by(t.outbox.c.message_id)
        ).all()
    return [tuple(d) for d in decisions], [json.loads(b) for (b,) in bodies]  # type: ignore[misc]


def memory_flags(store: MemoryStore) -> tuple[list[Decision], list[OutboxMessage]]:
    decisions = [d for d in store.decisions() if d.rule_id == "presale_gate"]
    messages = [m for m in store.outbox() if m.topic == "order.presale_flagged"]
    return decisions, messages


def valid_body(body: dict[str, Any]) -> PresaleFlagged:
    """The body as the published message schema reads it (raises when it does not fit)."""
    return msgspec.convert(body, PresaleFlagged)


def oracle(
    presale: bool,
    granted: bool | None,
    missing_refuses: bool,
    measures: list[tuple[Measure, str]],
    at: dt.datetime,
) -> bool:
    """Whether the order must be flagged, written from the brief apart from the rule."""
    if not presale:
        return False
    t_us = to_us(at)
    in_force = any(
        status == "active"
        and m.kind in WITHDRAW_PRESALE
        and m.starts_at_us <= t_us
        and (m.ends_at_us is None or t_us < m.ends_at_us)
        for m, status in measures
    )
    return granted is False or (granted is None and missing_refuses) or in_force
