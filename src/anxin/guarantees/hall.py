"""Assemble an order's guarantee hall from the store: state, rules' rights, decisions, payouts.

Read-only and derived: nothing here is stored, so the hall can never disagree with the facts.
Every decision recorded for the order and every ledger payout to it is shown on exactly one
right: on the right its rule describes, or, when no described right claims it (a rule switched
off since, a clock the rule no longer lists), on a right built from the decision itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.clock import from_us
from anxin.domain.money import Money
from anxin.domain.order import OrderState, decode_state
from anxin.domain.rights import (
    Decided,
    Node,
    Paid,
    RecordedOutcome,
    Right,
    RightStatus,
    overlay,
    owner,
    recorded_text,
)
from anxin.domain.wording import Text, sentences
from anxin.engine.rule import OrderRule
from anxin.guarantees.rules import RULES
from anxin.policy.pack import PolicyBook
from anxin.store import schema as t


class RightView(msgspec.Struct):
    right_id: str
    rule_id: str
    node: str
    title: Text
    status: RightStatus
    due_at: dt.datetime | None
    kept_at: dt.datetime | None
    explanation: Text
    compensation: dict[str, Any] | None  # the ledger's payouts on this right, summed
    payouts: list[dict[str, Any]]  # each ledger transaction crediting the consumer for it
    facts: dict[str, Any]
    decisions: list[dict[str, Any]]


class ScanView(msgspec.Struct):
    at: dt.datetime
    carrier: str
    tracking_number: str
    code: str
    text: str
    location: str
    status: str = "unknown"  # anxin's normalized status (anxin.tracking)


class ProactiveView(msgspec.Struct):
    """A message anxin sent the consumer before they asked (pre-identification)."""

    sent_at: dt.datetime
    situation: str
    text: Text


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
    proactive: list[ProactiveView] = []


class OrderNotFound(LookupError):
    pass


# Names for a right built from a decision no described right claims.
RULE_NAMES: dict[str, tuple[Text, Node]] = {
    "late_shipment": (Text("发货超时", "Late shipment"), "paid"),
    "logistics": (Text("物流轨迹", "Parcel tracking"), "in_transit"),
    "delivery_promise": (Text("送达承诺", "Delivery promise"), "in_transit"),
    "fraud_shipping": (Text("欺诈发货", "Fraud shipping"), "after_sales"),
    "never_signed": (Text("长期未签收", "Never signed for"), "in_transit"),
    "instant_refund": (Text("未发货极速退款", "Refund before shipment"), "paid"),
    "no_reason_return": (Text("七天无理由退货", "7-day no-reason return"), "after_sales"),
    "return_freight": (Text("运费险", "Return-freight insurance"), "after_sales"),
    "damage_on_arrival": (Text("坏了包退", "Damaged on arrival"), "after_sales"),
    "counterfeit": (Text("假一赔三", "Counterfeit multiplier"), "after_sales"),
    "a_to_z": (Text("A-to-z保障", "A-to-z Guarantee"), "after_sales"),
    "aftersales": (Text("售后", "After-sales"), "after_sales"),
}


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
    conn: sa.Connection,
    order_id: str,
    consumer_account: str,
    decision_ids: set[str],
    refund_keys: Collection[str] = (),
) -> list[Paid]:
    """Money the ledger credited to the consumer for this order, one entry per transaction:
    payouts, and after-sales refunds paid (``refund_keys``, ``refund:<aftersale>:paid``).

    A payout belongs to the order of the decision it names. Its key says the order too
    (``payout:order:<id>:…``) but an order id may itself hold ':' (or LIKE's '%', '_', escaped
    here), so a key alone could pick up order "a:b"'s payouts for order "a"; a payout naming a
    decision the store does not know at all is still shown (never silently dropped)."""
    e, x = t.ledger_entries.c, t.ledger_transactions.c
    rows = conn.execute(
        sa.select(e.txn_key, e.amount, e.currency, x.occurred_at_us, x.explanation)
        .join_from(t.ledger_entries, t.ledger_transactions, e.txn_key == x.txn_key)
        .where(
            e.account == consumer_account,
            e.amount > 0,
            sa.or_(
                e.txn_key.startswith(f"payout:order:{order_id}:", autoescape=True),
                e.txn_key.in_(sorted(refund_keys)),  # after-sales refunds paid
            ),
        )
        .order_by(x.occurred_at_us, e.txn_key)
    )
    found = []
    for r in rows:
        named = msgspec.json.decode(r.explanation).get("decision_id")
        decision_id = named if isinstance(named, str) else None
        found.append(
            Paid(
                r.txn_key, decision_id, Money(int(r.amount), r.currency), from_us(r.occurred_at_us)
            )
        )
    strangers = {
        p.decision_id for p in found if p.decision_id and p.decision_id not in decision_ids
    }
    if strangers:  # another order's (ids with ':'), unless no order made that decision
        d = t.decisions.c
        known = set(
            conn.execute(sa.select(d.decision_id).where(d.decision_id.in_(strangers))).scalars()
        )
        found = [p for p in found if p.decision_id not in known]
    return found


def build_hall(
    state: OrderState,
    decisions: list[dict[str, Any]],
    payouts: list[Paid],
    book: PolicyBook,
    now: dt.datetime,
    rules: Sequence[OrderRule] | None = None,
    proactive: Sequence[ProactiveView] = (),
) -> GuaranteeHall:
    """Pure assembly from already-loaded facts (the store access is in :func:`load_hall`).
    ``rules``: whose rights to describe (the edges pass the root's ``order_rules()``); by
    default the guarantee rules alone."""
    rights: list[Right] = []
    for rule in rules if rules is not None else list(RULES):
        rights += rule.rights(state, book, now)
    mine: list[list[dict[str, Any]]] = [[] for _ in rights]
    for d in decisions:
        i = owner(rights, d["decision_id"])
        if i is None:  # no described right claims it: it gets a right of its own
            rights.append(_decided_right(state, d))
            mine.append([])
            i = len(rights) - 1
        mine[i].append(d)
    where = {d["decision_id"]: i for i, ds in enumerate(mine) for d in ds}
    paid: list[list[Paid]] = [[] for _ in rights]
    for p in payouts:
        i = where.get(p.decision_id or "")
        if i is None:
            rights.append(_paid_right(state, p))
            mine.append([])
            paid.append([])
            i = len(rights) - 1
        paid[i].append(p)
    zone = _zone(state, book, now)
    views = [_view(r, ds, ps, zone, now) for r, ds, ps in zip(rights, mine, paid, strict=True)]
    amounts = [p.amount for p in payouts]
    currency = amounts[0].currency if amounts else state.currency
    state_paid = state.paid()
    return GuaranteeHall(
        order_id=state.order_id,
        status=state.status,
        merchant_id=state.merchant_id,
        consumer_id=state.consumer_id,
        amount_paid=state_paid.to_dict() if state_paid else None,
        as_of=now,
        rights=views,
        compensation_total=(
            {"amount": sum(m.amount for m in amounts), "currency": currency} if currency else None
        ),
        timeline=sorted(
            (
                ScanView(s.at, p.carrier, p.tracking_number, s.code, s.text, s.location, s.status)
                for p in state.parcels
                for s in p.scans
            ),
            key=lambda v: v.at,
        ),
        proactive=sorted((p for p in proactive if p.sent_at <= now), key=lambda p: p.sent_at),
    )


def _zone(state: OrderState, book: PolicyBook, now: dt.datetime) -> dt.tzinfo:
    """The zone instants are written in: the pack's in force when the order was paid."""
    return book.in_force_or_first(state.paid_at or state.placed_at or now).calendar.zone


def _decided_right(state: OrderState, d: dict[str, Any]) -> Right:
    unknown: tuple[Text, Node] = (Text(d["rule_id"], d["rule_id"]), "after_sales")
    name, node = RULE_NAMES.get(d["rule_id"], unknown)
    status: RightStatus = "exempt" if d["kind"] == "exempt" else "breached"
    return Right(
        right_id=d["decision_id"].removeprefix(f"order:{state.order_id}:"),
        rule_id=d["rule_id"],
        node=node,
        title=Text(f"{name.zh}：平台已作出判定", f"{name.en}: the platform made a decision"),
        status=status,
        due_at=d["decided_at"],
        decision_prefix=d["decision_id"],
    )


def _paid_right(state: OrderState, p: Paid) -> Right:
    return Right(
        right_id=p.txn_key.removeprefix(f"payout:order:{state.order_id}:"),
        rule_id="unknown",
        node="after_sales",
        title=Text("平台向消费者赔付", "Compensation paid to you"),
        status="breached",
        due_at=p.at,
    )


def _view(
    right: Right,
    decisions: list[dict[str, Any]],
    paid: list[Paid],
    zone: dt.tzinfo,
    now: dt.datetime,
) -> RightView:
    amount = sum(p.amount.amount for p in paid)
    currency = paid[0].amount.currency if paid else None
    recorded = (
        RecordedOutcome(
            frozenset(d["kind"] for d in decisions), amount, currency,
            tuple(d["decision_id"] for d in decisions),
        )
        if decisions or paid
        else None
    )  # fmt: skip
    decided = [
        Decided(d["decision_id"], d["kind"], d["decided_at"], d["outcome"]) for d in decisions
    ]
    status = overlay(right, recorded)
    return RightView(
        right_id=right.right_id,
        rule_id=right.rule_id,
        node=right.node,
        title=right.title,
        status=status,
        due_at=right.due_at,
        kept_at=right.kept_at if status == "kept" else None,
        explanation=sentences(right.explanation, recorded_text(decided, paid, zone, now)),
        compensation={"amount": amount, "currency": currency} if currency else None,
        payouts=[
            {
                "txn_key": p.txn_key,
                "decision_id": p.decision_id,
                "amount": p.amount.amount,
                "currency": p.amount.currency,
                "paid_at": p.at,
            }
            for p in paid
        ],
        facts=right.facts,
        decisions=decisions,
    )


def load_hall(
    engine: sa.Engine,
    order_id: str,
    book: PolicyBook,
    now: dt.datetime,
    rules: Sequence[OrderRule] | None = None,
) -> GuaranteeHall:
    """The order's hall; ``rules`` are the rules whose rights it shows (the root's choice,
    ``application.order_rules()``; default: the guarantee rules)."""
    with engine.connect() as conn:
        raw = conn.execute(
            sa.select(t.order_state.c.state).where(t.order_state.c.order_id == order_id)
        ).scalar_one_or_none()
        if raw is None:
            raise OrderNotFound(order_id)
        state = decode_state(raw)
        decisions = _decisions(conn, f"order:{order_id}")
        ids = {d["decision_id"] for d in decisions}
        refunds = {f"refund:{a}:paid" for a in {f.aftersale_id for f in state.aftersale_facts}}
        payouts = (
            _payouts(conn, order_id, f"consumer:{state.consumer_id}", ids, refunds)
            if state.consumer_id
            else []
        )
        proactive = _proactive(conn, order_id, _zone(state, book, now))
    return build_hall(state, decisions, payouts, book, now, rules, proactive)


_PROACTIVE = msgspec.json.Decoder(dict[str, Any])


def _proactive(conn: sa.Connection, order_id: str, zone: dt.tzinfo) -> list[ProactiveView]:
    """The pre-identification messages sent about the order (``service.proactive``)."""
    o = t.outbox.c
    rows = conn.execute(
        sa.select(o.created_at_us, o.body).where(
            o.aggregate_key == f"order:{order_id}", o.topic == "service.proactive"
        )
    )
    out = []
    for at_us, body in rows:
        b = _PROACTIVE.decode(body)
        said = b.get("text") or {}
        text = Text(str(said.get("zh", "")), str(said.get("en", "")))
        out.append(ProactiveView(from_us(at_us).astimezone(zone), str(b.get("situation")), text))
    return out
