"""The presale gate: a presale order from a merchant without the presale privilege is flagged
at ingest (platform-rules.md §2.2; DY-发货规则 §4.1.6 预售使用门槛, presale withdrawn in the
ladders of §7.1).

A merchant holds presale when it is placed if its daily grant (``merchant_privileges``) says
granted — or it has none and the pack's ``privileges.presale`` grants what it cannot judge
(``missing: grant``), or the pack gates no presale by the score at all — and no measure of a
kind the pack lists under ``privileges.withdrawn_by.presale`` is in force at the placement
instant. The engine reads that standing through its store port once per batch and folds it into
the order (``OrderState.presale_standing``); this rule only judges it, so it stays pure.

Effects: one ``flagged`` decision and one ``order.presale_flagged`` message per order, their ids
from the order alone (``order:{id}:presale_gate``), so a repeat, a redelivery or another batch
split adds nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from anxin.clock import from_us
from anxin.contract import events as ev
from anxin.domain import wording
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Decision, Effect, Explanation, OutboxMessage
from anxin.domain.order import OrderState
from anxin.domain.rights import Right
from anxin.domain.standing import Measure, Standing, withdrawing
from anxin.domain.wording import Text
from anxin.policy.pack import NoPolicyInForce, PolicyBook, PolicyPack
from anxin.score.privileges import PrivilegesConfig

RULE_ID = "presale_gate"
TOPIC = "order.presale_flagged"
PRIVILEGE = "presale"


@dataclass(frozen=True, slots=True)
class Gate:
    """The gate's verdict on one standing: allowed, or why not (``not_granted``, ``no_grant``,
    ``measure``) and the withdrawing measures in force."""

    reasons: tuple[str, ...]
    measures: tuple[Measure, ...]
    kinds: tuple[str, ...]  # the pack's withdrawing kinds
    missing: str | None  # the pack's presale ``missing``; None: the score gates no presale

    @property
    def allowed(self) -> bool:
        return not self.reasons


def judge(standing: Standing, config: PrivilegesConfig | None) -> Gate:
    """Whether the merchant held presale at the instant its standing was read."""
    kinds = tuple(config.withdrawn_by.get(PRIVILEGE, ())) if config is not None else ()
    privilege = config.privileges.get(PRIVILEGE) if config is not None else None
    missing = None if privilege is None else privilege.missing
    reasons: list[str] = []
    if standing.granted is False:
        reasons.append("not_granted")
    elif standing.granted is None and missing == "refuse":
        reasons.append("no_grant")
    measures = tuple(withdrawing(standing.measures, kinds))
    if measures:
        reasons.append("measure")
    return Gate(tuple(reasons), measures, kinds, missing)


def why(gate: Gate, standing: Standing, zone: dt.tzinfo) -> Text:
    """The gate's verdict in plain Chinese and English."""
    parts = [Text("预售订单已标记：下单时商家不具备预售权限。",
                  "Presale order flagged: the merchant did not hold the presale privilege when "
                  "it was placed.")]  # fmt: skip
    if "not_granted" in gate.reasons:
        since = standing.since_day or "?"
        parts.append(Text(f"店铺预售权限自{since}起未获授予（每日评估）。",
                          f"The daily evaluation has refused it since {since}."))  # fmt: skip
    if "no_grant" in gate.reasons:
        parts.append(Text("店铺尚未获得预售权限评估，规则规定无法评估时不授予。",
                          "It was never evaluated, and the pack refuses presale it cannot "
                          "judge."))  # fmt: skip
    for m in gate.measures:
        if m.ends_at_us is None:
            until = Text("直至解除", "until lifted")
        else:
            end = wording.when(from_us(m.ends_at_us), zone)
            until = Text(f"至{end.zh}", f"until {end.en}")
        name = f"{m.measure_id}（{m.kind}）", f"{m.measure_id} ({m.kind})"
        parts.append(Text(f"处罚措施 {name[0]}生效中，{until.zh}。",
                          f"Measure {name[1]} is in force {until.en}."))  # fmt: skip
    return wording.sentences(*parts)


class PresaleGate:
    rule_id: ClassVar[str] = RULE_ID
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (ev.OrderPlaced,)
    scan_statuses: ClassVar[frozenset[str] | None] = None

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        standing, placed, ship_by = state.presale_standing, state.placed_at, state.presale_ship_by
        if standing is None or placed is None or ship_by is None or state.merchant_id is None:
            return []  # not a presale order, or placed before anxin read standings
        decision_id = f"order:{state.order_id}:{RULE_ID}"
        if state.decided(decision_id):
            return []
        try:
            pack = book.in_force(placed)
        except NoPolicyInForce:
            return []
        config = pack.rule("privileges")
        gate = judge(standing, config if isinstance(config, PrivilegesConfig) else None)
        if gate.allowed:
            return []
        return flag(state, standing, gate, pack, decision_id, placed, ship_by)

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        return []

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        return []  # the gate governs the merchant; it gives the consumer no right


def flag(
    state: OrderState,
    standing: Standing,
    gate: Gate,
    pack: PolicyPack,
    decision_id: str,
    placed: dt.datetime,
    ship_by: dt.datetime,
) -> list[Effect]:
    """The decision and the message to the marketplace, keyed by the order."""
    merchant = state.merchant_id or ""
    text = why(gate, standing, pack.calendar.zone)
    inputs: dict[str, Any] = {
        "merchant_id": merchant,
        "placed_at": placed.isoformat(),
        "presale_ship_by": ship_by.isoformat(),
        "standing": {
            "privilege": standing.privilege,
            "granted": standing.granted,
            "since_day": standing.since_day,
            "measures_in_force": [m.reason() for m in standing.measures],
        },
        "withdrawn_by": list(gate.kinds),
        "missing": gate.missing,
        "why": {"zh": text.zh, "en": text.en},
    }
    key = f"order:{state.order_id}"
    decision = Decision(
        decision_id,
        key,
        RULE_ID,
        "flagged",
        placed,
        Explanation(RULE_ID, pack.name, pack.version, inputs),
        {"reasons": list(gate.reasons), "measures": [m.measure_id for m in gate.measures]},
    )
    body: dict[str, Any] = {
        "order_id": state.order_id,
        "merchant_id": merchant,
        "consumer_id": state.consumer_id,
        "placed_at": placed.isoformat(),
        "presale_ship_by": ship_by.isoformat(),
        "reasons": list(gate.reasons),
        "measures": [m.reason() for m in gate.measures],
        "since_day": standing.since_day if "not_granted" in gate.reasons else None,
        "decision_id": decision_id,
        "pack": pack.name,
        "version": pack.version,
    }
    return [decision, OutboxMessage(f"presale_flagged:{decision_id}", TOPIC, key, placed, body)]


RULES = (PresaleGate(),)
