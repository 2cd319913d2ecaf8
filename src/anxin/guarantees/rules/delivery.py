"""Delivery promises: the order must arrive by the promised date; tiers act after it.

The shortest ``deliver`` promise binds. Douyin pays 5 % (5-50) when an appointment delivery
(预约达) is missed; Amazon's A-to-z guarantee opens to the buyer when an order has not arrived
three days after the latest estimated delivery date. A date-only promise is kept through the end
of its local day (the importer turns it into that instant). Like the other rules it judges when
its clock fires, on the facts known then; a delivery in time cancels the clocks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

import msgspec

from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import (
    CancelDeadline,
    Effect,
    OutboxMessage,
    ScheduleDeadline,
)
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.domain.rights import Right, RightStatus, clock_status, clock_text
from anxin.domain.wording import Text, exemption_name, hours, money, when
from anxin.guarantees.rules.base import config_at_payment, exemption
from anxin.guarantees.rules.late_shipment import PayoutSpec
from anxin.guarantees.rules.payout import decide_and_pay
from anxin.policy.pack import PolicyBook, PolicyPack

RULE_ID = "delivery_promise"


class DeliveryTier(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """What happens ``after_hours`` past the promised arrival with the order still not there."""

    after_hours: int = 0
    payout: PayoutSpec | None = None
    topic: str | None = None  # an outbox message for the marketplace, e.g. a claim opening


class DeliveryConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    tiers: list[DeliveryTier]
    sources: list[str] | None = None  # promise sources this rule judges (None: every source)
    paid_as: Literal["coupon", "cash", "red_packet"] = "coupon"
    funded_by: Literal["merchant_deposit", "platform_fund"] = "merchant_deposit"

    def check(self, currency: str) -> None:
        hours = [t.after_hours for t in self.tiers]
        if not hours or hours[0] != 0 or hours != sorted(set(hours)):
            raise ValueError("tiers must start at after_hours 0 and increase strictly")
        for t in self.tiers:
            if t.payout is not None:
                t.payout.amount(Money(0, currency))


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: DeliveryConfig}


def _due(state: OrderState, config: DeliveryConfig) -> tuple[dt.datetime, str] | None:
    """The binding deliver-by instant (the shortest promise) and its source."""
    if state.paid_at is None:
        return None
    dues = []
    for p in state.promises:
        if p.kind != "deliver" or (config.sources is not None and p.source not in config.sources):
            continue
        if p.by is not None:
            dues.append((p.by, p.source))
        elif p.within_hours is not None:
            dues.append((state.paid_at + dt.timedelta(hours=p.within_hours), p.source))
    if not dues:
        return None
    return min(dues)


def _title(
    config: DeliveryConfig, due: dt.datetime, paid: Money | None, zone: dt.tzinfo, now: dt.datetime
) -> Text:
    """The promise in words, with what each tier pays this order (each tier pays its own)."""
    by = when(due, zone, now)
    title = Text(f"须在{by.zh}前送达", f"Arrives by {by.en}")
    said = False
    for tier in config.tiers:
        amount = tier.payout.amount(paid) if tier.payout and paid else None
        if amount is None or amount.amount <= 0:
            continue
        text, span = money(amount), hours(tier.after_hours)
        if tier.after_hours == 0:
            title += Text(f"，否则赔付{text}", f", or you receive {text}")
        else:
            title += Text(
                f"；超过{span.zh}仍未送达的，{'另' if said else ''}赔付{text}",
                f"; not there {span.en} after that, {text}{' more' if said else ''}",
            )
        said = True
    return title + Text("。", ".")


class DeliveryPromise:
    rule_id: ClassVar[str] = RULE_ID
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (ev.OrderPaid, ev.TrackingScanned)
    scan_statuses: ClassVar[frozenset[str] | None] = frozenset(
        {"delivered"}
    )  # the delivering scan settles it

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        paid = isinstance(event, ev.OrderPaid)
        delivered = None if paid else state.delivered_at()
        if not paid and (delivered is None or delivered != event.occurred_at):
            return []  # only the scan that delivered the order can settle this promise
        found = config_at_payment(state, book, RULE_ID)
        if found is None:
            return []
        pack, config = found
        due = _due(state, config)
        if due is None:
            return []
        if delivered is None:
            return self._schedule(state, pack, config, due, 0)
        # A delivery in time stays in time (it only gets earlier with more scans): its clocks
        # need not fire. Lateness is judged when a clock fires, on the facts known then.
        return [
            CancelDeadline(f"order:{state.order_id}:{RULE_ID}:{tier}")
            for tier, spec in enumerate(config.tiers)
            if delivered <= due[0] + dt.timedelta(hours=spec.after_hours)
        ]

    def _schedule(
        self,
        state: OrderState,
        pack: PolicyPack,
        config: DeliveryConfig,
        due: tuple[dt.datetime, str],
        tier: int,
    ) -> list[Effect]:
        """One pending clock at a time: the next tier is scheduled when this one breaches."""
        if tier >= len(config.tiers):
            return []
        key = f"order:{state.order_id}"
        at = due[0] + dt.timedelta(hours=config.tiers[tier].after_hours)
        data = {"tier": tier}
        deadline_id = f"{key}:{RULE_ID}:{tier}"
        return [ScheduleDeadline(deadline_id, key, RULE_ID, at, pack.name, pack.version, data)]

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        pack = book.version(deadline.pack_version)
        config: DeliveryConfig | None = pack.rule(RULE_ID)
        if config is None or state.cancelled_at is not None:
            return []
        due = _due(state, config)
        if due is None:
            return []
        tier = int(deadline.data["tier"])
        tier_due = due[0] + dt.timedelta(hours=config.tiers[tier].after_hours)
        delivered = state.delivered_at()
        if delivered is not None and delivered <= tier_due:
            return []
        return self._breach(state, pack, config, due, tier) + self._schedule(
            state, pack, config, due, tier + 1
        )

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        found = config_at_payment(state, book, RULE_ID)
        due = _due(state, found[1]) if found else None
        if found is None or due is None:
            return []
        pack, config = found
        delivered = state.delivered_at()
        exempt = exemption(state, pack, due[0])
        status: RightStatus
        if delivered is None and state.cancelled_at is not None:
            status = "expired"  # a cancelled order's clocks judge nothing more (on_deadline)
        else:
            status = clock_status(due[0], delivered, now, exempt=exempt is not None)
        zone = pack.calendar.zone
        explanation = clock_text(
            status,
            due=due[0],
            done_at=delivered,
            done=Text("送达", "delivered"),
            zone=zone,
            now=now,
            exemption=exemption_name(exempt["exemption"]) if exempt else None,
        )
        title = _title(config, due[0], state.paid(), zone, now)
        prefix = f"order:{state.order_id}:{RULE_ID}"
        facts = {"delivered_at": delivered, "promise_source": due[1]}
        kept = delivered if status == "kept" else None
        return [
            Right(
                "deliver_by", RULE_ID, "in_transit", title, status, due[0], prefix, facts,
                kept_at=kept, explanation=explanation,
            )
        ]  # fmt: skip

    @staticmethod
    def _breach(
        state: OrderState,
        pack: PolicyPack,
        config: DeliveryConfig,
        due: tuple[dt.datetime, str],
        tier: int,
    ) -> list[Effect]:
        key = f"order:{state.order_id}"
        decision_id = f"{key}:{RULE_ID}:{tier}"
        spec = config.tiers[tier]
        at = pack.calendar.local(due[0] + dt.timedelta(hours=spec.after_hours))
        paid = state.paid()
        exempt = exemption(state, pack, at)
        amount = spec.payout.amount(paid) if spec.payout and paid and not exempt else None
        outcome: dict[str, Any] = {"tier": tier, "payout": amount.to_dict() if amount else None}
        outcome |= exempt or {}
        inputs = {"due_at": due[0], "promise_source": due[1], "after_hours": spec.after_hours}
        effects = decide_and_pay(
            state, pack, rule_id=RULE_ID, decision_id=decision_id,
            kind="exempt" if exempt else "breach", at=at, inputs=inputs, outcome=outcome,
            amount=amount, funded_by=config.funded_by, paid_as=config.paid_as,
        )  # fmt: skip
        if spec.topic and not exempt:
            body = {
                "order_id": state.order_id,
                "consumer_id": state.consumer_id,
                "decision_id": decision_id,
                "due_at": due[0].isoformat(),
            }
            effects.append(OutboxMessage(f"{spec.topic}:{decision_id}", spec.topic, key, at, body))
        return effects


RULE = DeliveryPromise()
