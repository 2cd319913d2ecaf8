"""Assemble an order's guarantee hall from the store: state, rules' rights, decisions, payouts.

Read-only and derived: nothing here is stored, so the hall can never disagree with the facts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.clock import from_us
from anxin.domain.order import OrderState, decode_state
from anxin.domain.rights import RecordedOutcome, Right, RightStatus, overlay
from anxin.engine.rule import OrderRule
from anxin.guarantees.rules import RULES
from anxin.policy.pack import PolicyBook
from anxin.store import schema as t


class RightView(msgspec.Struct):
    right_id: str
    rule_id: str
    node: str
    title: str
    status: RightStatus
    due_at: dt.datetime | None
    compensation: dict[str, Any] | None
    facts: dict[str, Any]
    decisions: list[dict[str, Any]]


class ScanView(msgspec.Struct):
    at: dt.datetime
    carrier: str
    tracking_number: str
    code: str
    text: str
    location: str


class GuaranteeHall(msgspec.Struct):
    order_id: str
    status: str
    merchant_id: str | None
    consumer_id: str | None
    amount_paid: dict[str, Any] | None
    as_of: dt.datetime
    rights: list[RightView]
    compensation_total: dict[str, Any] | None
    timeline: list[ScanView]


class OrderNotFound(LookupError):
    pass


def _decisions(conn: sa.Connection, key: str) -> list[dict[str, Any]]:
    d = t.decisions.c
    rows = conn.execute(
        sa.select(d.decision_id, d.rule_id, d.kind, d.decided_at_us, d.pack, d.pack_version,
                  d.explanation, d.outcome)
        .where(d.aggregate_key == key)
        .order_by(d.decided_at_us, d.decision_id)
    )  # fmt: skip
    return [
        {
            "decision_id": r.decision_id,
            "rule_id": r.rule_id,
            "kind": r.kind,
            "decided_at": from_us(r.decided_at_us),
            "policy": f"{r.pack} {r.pack_version}",
            "explanation": msgspec.json.decode(r.explanation),
            "outcome": msgspec.json.decode(r.outcome),
        }
        for r in rows
    ]


def _payouts(
    conn: sa.Connection, order_id: str, consumer_account: str
) -> dict[str, tuple[int, str]]:
    """Money credited to the consumer per payout key (``payout:<decision id>``)."""
    e = t.ledger_entries.c
    rows = conn.execute(
        sa.select(e.txn_key, e.amount, e.currency).where(
            e.txn_key.like(f"payout:order:{order_id}:%"), e.account == consumer_account
        )
    )
    return {r.txn_key.removeprefix("payout:"): (int(r.amount), r.currency) for r in rows}


def build_hall(
    state: OrderState,
    decisions: list[dict[str, Any]],
    payouts: dict[str, tuple[int, str]],
    book: PolicyBook,
    now: dt.datetime,
    rules: list[OrderRule] | None = None,
) -> GuaranteeHall:
    """Pure assembly from already-loaded facts (the store access is in :func:`load_hall`)."""
    views: list[RightView] = []
    total = 0
    currency = state.currency
    for rule in rules if rules is not None else list(RULES):
        for right in rule.rights(state, book, now):
            views.append(_view(right, decisions, payouts))
    for amount, cur in payouts.values():
        total += amount
        currency = cur
    paid = state.paid()
    return GuaranteeHall(
        order_id=state.order_id,
        status=state.status,
        merchant_id=state.merchant_id,
        consumer_id=state.consumer_id,
        amount_paid=paid.to_dict() if paid else None,
        as_of=now,
        rights=views,
        compensation_total={"amount": total, "currency": currency} if currency else None,
        timeline=sorted(
            (
                ScanView(s.at, p.carrier, p.tracking_number, s.code, s.text, s.location)
                for p in state.parcels
                for s in p.scans
            ),
            key=lambda v: v.at,
        ),
    )


def _view(
    right: Right, decisions: list[dict[str, Any]], payouts: dict[str, tuple[int, str]]
) -> RightView:
    mine = [
        d
        for d in decisions
        if right.decision_prefix and d["decision_id"].startswith(right.decision_prefix)
    ]
    paid = [
        v
        for k, v in payouts.items()
        if right.decision_prefix and k.startswith(right.decision_prefix)
    ]
    amount = sum(a for a, _ in paid)
    recorded = (
        RecordedOutcome(
            frozenset(d["kind"] for d in mine), amount, paid[0][1] if paid else None,
            tuple(d["decision_id"] for d in mine),
        )
        if mine or paid
        else None
    )  # fmt: skip
    return RightView(
        right_id=right.right_id,
        rule_id=right.rule_id,
        node=right.node,
        title=right.title,
        status=overlay(right, recorded),
        due_at=right.due_at,
        compensation={"amount": amount, "currency": paid[0][1]} if paid else None,
        facts=right.facts,
        decisions=mine,
    )


def load_hall(
    engine: sa.Engine, order_id: str, book: PolicyBook, now: dt.datetime
) -> GuaranteeHall:
    with engine.connect() as conn:
        raw = conn.execute(
            sa.select(t.order_state.c.state).where(t.order_state.c.order_id == order_id)
        ).scalar_one_or_none()
        if raw is None:
            raise OrderNotFound(order_id)
        state = decode_state(raw)
        decisions = _decisions(conn, f"order:{order_id}")
        payouts = (
            _payouts(conn, order_id, f"consumer:{state.consumer_id}") if state.consumer_id else {}
        )
    return build_hall(state, decisions, payouts, book, now)
