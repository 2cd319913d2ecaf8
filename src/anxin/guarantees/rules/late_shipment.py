"""Late shipment (发货超时): the first guarantee rule, and the one that exercises the spine.

At payment the rule schedules the first lateness tier's deadline (the binding ship-by; the
next tier, e.g. +48 h, is scheduled when one breaches). When a tier's deadline fires with the
order not shipped by then (on the facts known when it fires) nor cancelled, the order is in
breach at that tier: a decision is recorded and the consumer is paid the tier's amount (top-up
over, or stacked on, lower tiers) from the merchant's deposit, without having to ask. A carrier
pickup in time cancels the clocks early; nothing is judged on arrival, so scans arriving out of
order cannot change a payout.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import (
    CancelDeadline,
    Decision,
    Effect,
    Explanation,
    OutboxMessage,
    ScheduleDeadline,
)
from anxin.domain.money import Money, percent_of
from anxin.domain.order import OrderState
from anxin.domain.promises import BindingPromise, binding_ship_promise
from anxin.domain.rights import PENDING, Right, clock_status, clock_text
from anxin.domain.wording import Text, exemption_name, hours, money, when
from anxin.guarantees.rules.base import config_at_payment, exemption
from anxin.guarantees.rules.payout import compensate
from anxin.policy.pack import PolicyBook, PolicyPack

RULE_ID = "late_shipment"

Number = Annotated[str, msgspec.Meta(pattern=r"^\d+(\.\d+)?$")] | int | float


class PayoutSpec(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    percent: Number
    min: Number = 0
    max: Number | None = None

    def amount(self, paid: Money) -> Money:
        return percent_of(
            paid,
            Decimal(str(self.percent)),
            minimum=Money.of_major(Decimal(str(self.min)), paid.currency),
            maximum=None
            if self.max is None
            else Money.of_major(Decimal(str(self.max)), paid.currency),
        )


class PromiseClass(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Payouts for orders whose promised ship time is at most ``up_to_hours`` (None: longer)."""

    up_to_hours: int | None
    payouts: list[PayoutSpec | None]  # one per lateness tier; null = no payout at that tier


class LateShipmentConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    # a named ship-by type, or hours after payment (Tmall: 48)
    default_promise: Literal["same_day", "next_day"] | int
    # paid before this local time, a same-day promise ships that day (Douyin: 16:00)
    same_day_cutoff: Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    lateness_tiers_hours: list[int] = msgspec.field(default_factory=lambda: [0])
    promise_classes: list[PromiseClass] = []
    paid_as: Literal["coupon", "cash", "red_packet"] = "coupon"
    funded_by: Literal["merchant_deposit", "platform_fund"] = "merchant_deposit"
    notify_merchant: bool = True
    # top_up: a higher tier pays the difference (Douyin: late > 48 h *is* the out-of-stock
    # payout); stack: each tier pays its own amount (Tmall: out of stock on top of late).
    stacking: Literal["top_up", "stack"] = "top_up"

    def check(self, currency: str) -> None:
        tiers = self.lateness_tiers_hours
        if not tiers or tiers[0] != 0 or tiers != sorted(set(tiers)):
            raise ValueError("lateness_tiers_hours must start at 0 and increase strictly")
        bounds = [c.up_to_hours for c in self.promise_classes]
        if not bounds or bounds[-1] is not None:
            raise ValueError("promise_classes must end with a class whose up_to_hours is null")
        finite = [b for b in bounds[:-1] if b is not None]
        if len(finite) != len(bounds) - 1 or finite != sorted(set(finite)):
            raise ValueError("promise_classes up_to_hours must increase strictly")
        for c in self.promise_classes:
            if len(c.payouts) != len(tiers):
                raise ValueError(
                    f"promise class up_to_hours={c.up_to_hours} has {len(c.payouts)} payouts "
                    f"for {len(tiers)} lateness tiers"
                )
            for p in c.payouts:
                if p is None:
                    continue
                low, high = Decimal(str(p.min)), None if p.max is None else Decimal(str(p.max))
                if Decimal(str(p.percent)) < 0:
                    raise ValueError(f"payout percent must be >= 0, got {p.percent}")
                if low < 0:
                    raise ValueError(f"payout min must be >= 0, got {p.min}")
                if high is not None and high < low:
                    raise ValueError(f"payout max must be >= min, got max {p.max} < min {p.min}")
                p.amount(Money(0, currency))  # validates percent/min/max in this currency

    @property
    def cutoff(self) -> dt.time:
        hour, minute = self.same_day_cutoff.split(":")
        return dt.time(int(hour), int(minute))

    def payout_class(self, promised_hours: float) -> PromiseClass:
        for c in self.promise_classes:
            if c.up_to_hours is None or promised_hours <= c.up_to_hours:
                return c
        raise AssertionError("check() guarantees an open-ended class")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: LateShipmentConfig}


def default_promise(config: LateShipmentConfig) -> ev.Promise:
    """The platform's ship-by when no promise was shown."""
    if isinstance(config.default_promise, int):
        return ev.Promise(kind="ship", source="platform", within_hours=config.default_promise)
    return ev.Promise(kind="ship", source="platform", named=config.default_promise)


def _binding(state: OrderState, config: LateShipmentConfig, pack: PolicyPack) -> BindingPromise:
    assert state.paid_at is not None
    default = default_promise(config)
    return binding_ship_promise(
        state.promises,
        state.paid_at,
        pack.calendar,
        presale_ship_by=state.presale_ship_by,
        default=default,
        same_day_cutoff=config.cutoff,
    )


def binding_at_payment(state: OrderState, pack: PolicyPack) -> BindingPromise:
    """The order's binding ship-by under ``pack``: its late-shipment section says the default
    promise and the same-day cut-off (policy, so there is no fallback in code)."""
    config: LateShipmentConfig | None = pack.rule(RULE_ID)
    if config is None:
        raise ValueError(
            f"pack {pack.name} {pack.version} has no `{RULE_ID}` section: an order's ship-by "
            "needs its default_promise and same_day_cutoff"
        )
    return _binding(state, config, pack)


def _tier_amount(
    config: LateShipmentConfig, promised_hours: float, tier: int, paid: Money
) -> Money:
    spec = config.payout_class(promised_hours).payouts[tier]
    return spec.amount(paid) if spec is not None else Money.zero(paid.currency)


def _title(
    config: LateShipmentConfig,
    binding: BindingPromise,
    paid: Money | None,
    zone: dt.tzinfo,
    now: dt.datetime,
) -> Text:
    """The promise in words, with what each lateness tier pays this order."""
    by = when(binding.due_at, zone, now)
    title = Text(f"商家须在{by.zh}前发货", f"Ships by {by.en}")
    # top_up: a tier adds only what it pays above the lower tiers; stack: each pays its own
    floor, said = 0, False
    for tier, late in enumerate(config.lateness_tiers_hours):
        if paid is None:
            break
        amount = _tier_amount(config, binding.promised_hours, tier, paid)
        if amount.amount <= floor:
            continue
        text, span = money(amount), hours(late)
        if tier == 0:
            title += Text(f"，否则赔付{text}", f", or you receive {text}")
        elif not said:
            title += Text(
                f"；超时{span.zh}仍未发货的，赔付{text}",
                f"; if it is still unshipped {span.en} after that, you receive {text}",
            )
        elif config.stacking == "top_up":
            title += Text(
                f"；超时{span.zh}仍未发货的，共赔付{text}",
                f"; still unshipped {span.en} after that, {text} in all",
            )
        else:
            title += Text(
                f"；超时{span.zh}仍未发货的，另赔付{text}",
                f"; still unshipped {span.en} after that, {text} more",
            )
        said = True
        if config.stacking == "top_up":
            floor = amount.amount
    return title + Text("。", ".")


class LateShipment:
    rule_id: ClassVar[str] = RULE_ID
    scan_statuses: ClassVar[frozenset[str] | None] = None
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (
        ev.OrderPaid,
        ev.ShipmentCreated,
        ev.TrackingScanned,
    )

    def __init__(self) -> None:
        # Memo of each order's binding promise: an order's shipment and first scan ask again.
        self._bindings: dict[str, tuple[tuple[Any, ...], BindingPromise]] = {}

    def _binding(
        self, state: OrderState, config: LateShipmentConfig, pack: PolicyPack
    ) -> BindingPromise:
        facts = (
            state.paid_at,
            len(state.promises),
            state.presale_ship_by,
            pack.name,
            pack.version,
            id(config),
        )
        hit = self._bindings.get(state.order_id)
        if hit is not None and hit[0] == facts:
            return hit[1]
        if len(self._bindings) >= 100_000:
            self._bindings.clear()
        binding = _binding(state, config, pack)
        self._bindings[state.order_id] = (facts, binding)
        return binding

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        if state.paid_at is None:
            return []
        paid = isinstance(event, ev.OrderPaid)
        # Only a carrier pickup can settle the clocks early: pickups only get earlier as more
        # scans arrive, so a pickup in time stays in time. Lateness is judged when a clock fires
        # (a merchant's click alone may yet be contradicted by the carrier).
        pickups = [t for p in state.parcels if (t := p.pickup_at()) is not None]
        if not paid and (not pickups or min(pickups) != event.occurred_at):
            return []
        found = config_at_payment(state, book, RULE_ID)
        if found is None:
            return []
        pack, config = found
        if paid:
            return self._schedule(state, config, pack)
        binding = self._binding(state, config, pack)
        return [
            CancelDeadline(f"order:{state.order_id}:{RULE_ID}:{tier}")
            for tier, hours in enumerate(config.lateness_tiers_hours)
            if event.occurred_at <= binding.due_at + dt.timedelta(hours=hours)
        ]

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        pack = book.version(deadline.pack_version)
        config: LateShipmentConfig | None = pack.rule(RULE_ID)
        if config is None or state.paid_at is None:
            return []
        due = pack.calendar.local(deadline.due_at)  # rendered in the pack's zone, as scheduled
        if state.cancelled_at is not None and state.cancelled_at <= due:
            return []
        shipped_at = state.shipped_at()
        if shipped_at is not None and shipped_at <= due:
            return []
        tier = int(deadline.data["tier"])
        binding = self._binding(state, config, pack)
        effects = self._breach(state, config, pack, binding, tier, due)
        return effects + self._schedule(state, config, pack, tier + 1)

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []  # its clocks are one-off: scheduled at payment, cancelled at shipment

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        prefix = f"order:{state.order_id}:{RULE_ID}"
        if state.paid_at is None:
            title = Text("付款后，商家须按承诺时间发货", "Ships by the promised time once paid")
            return [
                Right(
                    "ship_by", RULE_ID, "paid", title, "pending",
                    decision_prefix=prefix, explanation=PENDING,
                )
            ]  # fmt: skip
        found = config_at_payment(state, book, RULE_ID)
        if found is None:
            return []
        pack, config = found
        binding = self._binding(state, config, pack)
        due, shipped_at = binding.due_at, state.shipped_at()
        exempt = exemption(state, pack, due)
        status = clock_status(
            due, shipped_at, now, void_at=state.cancelled_at, exempt=exempt is not None
        )
        zone = pack.calendar.zone
        explanation = clock_text(
            status,
            due=due,
            done_at=shipped_at,
            done=Text("发货", "shipped"),
            zone=zone,
            now=now,
            exemption=exemption_name(exempt["exemption"]) if exempt else None,
        )
        facts: dict[str, Any] = {
            "promised_hours": round(binding.promised_hours, 3),
            "promise_source": binding.source,
            "shipped_at": shipped_at,
            "pack": pack.name,
            "pack_version": pack.version,
        }
        return [
            Right(
                "ship_by", RULE_ID, "paid", _title(config, binding, state.paid(), zone, now),
                status, due, prefix, facts,
                kept_at=shipped_at if status == "kept" else None, explanation=explanation,
            )
        ]  # fmt: skip

    # ---------------------------------------------------------------- internals

    def _schedule(
        self, state: OrderState, config: LateShipmentConfig, pack: PolicyPack, tier: int = 0
    ) -> list[Effect]:
        """One pending deadline at a time: the next tier is scheduled when this one breaches."""
        if tier >= len(config.lateness_tiers_hours):
            return []
        binding = self._binding(state, config, pack)
        key = f"order:{state.order_id}"
        return [
            ScheduleDeadline(
                deadline_id=f"{key}:{RULE_ID}:{tier}",
                aggregate_key=key,
                rule_id=RULE_ID,
                due_at=binding.due_at + dt.timedelta(hours=config.lateness_tiers_hours[tier]),
                pack=pack.name,
                pack_version=pack.version,
                data={"tier": tier, "source": binding.source},
            )
        ]

    def _breach(
        self,
        state: OrderState,
        config: LateShipmentConfig,
        pack: PolicyPack,
        binding: BindingPromise,
        tier: int,
        due: dt.datetime,
    ) -> list[Effect]:
        key = f"order:{state.order_id}"
        base_id = f"{key}:{RULE_ID}:{tier}"
        exempt = exemption(state, pack, due)
        if exempt is not None:
            return [self._decision(state, pack, binding, tier, due, "exempt", exempt)]
        paid = state.paid()
        if paid is None or not state.merchant_id or not state.consumer_id:
            # Without the order's parties or amount nobody can be paid; record the breach.
            missing = {"missing": "order.placed facts (merchant, consumer) or amount paid"}
            return [self._decision(state, pack, binding, tier, due, "breach", missing)]
        owed = _tier_amount(config, binding.promised_hours, tier, paid)
        # Tiers top up: the consumer ends with the highest tier's amount, less what lower tiers
        # already paid (an exempt lower tier paid nothing).
        already = Money.zero(paid.currency)
        for lower in range(tier if config.stacking == "top_up" else 0):
            lower_due = binding.due_at + dt.timedelta(hours=config.lateness_tiers_hours[lower])
            if pack.calendar.exemption_at(lower_due) is None:
                already = max(already, _tier_amount(config, binding.promised_hours, lower, paid))
        payout = owed - already if owed > already else Money.zero(paid.currency)
        outcome: dict[str, Any] = {
            "tier": tier,
            "payout": payout.to_dict(),
            "paid_as": config.paid_as,
        }
        effects: list[Effect] = [self._decision(state, pack, binding, tier, due, "breach", outcome)]
        effects += compensate(
            state,
            pack,
            rule_id=RULE_ID,
            decision_id=base_id,
            payout_key=f"payout:{base_id}",
            amount=payout,
            at=due,
            funded_by=config.funded_by,
            paid_as=config.paid_as,
            reason=RULE_ID,
            ledger_reason=f"{RULE_ID}.tier{tier}",
        )
        if tier == 0 and config.notify_merchant:
            effects.append(
                OutboxMessage(
                    message_id=f"task:{base_id}",
                    topic="merchant.task",
                    aggregate_key=key,
                    created_at=due,
                    body={
                        "merchant_id": state.merchant_id,
                        "order_id": state.order_id,
                        "task": "ship_overdue_order",
                        "decision_id": base_id,
                    },
                )
            )
        return effects

    @staticmethod
    def _decision(
        state: OrderState,
        pack: PolicyPack,
        binding: BindingPromise,
        tier: int,
        due: dt.datetime,
        kind: str,
        outcome: dict[str, Any],
    ) -> Decision:
        key = f"order:{state.order_id}"
        paid = state.paid()
        inputs: dict[str, Any] = {
            "paid_at": state.paid_at,
            "amount_paid": paid.to_dict() if paid else None,
            "binding_promise": {
                "source": binding.source,
                "due_at": binding.due_at,
                "promised_hours": round(binding.promised_hours, 3),
            },
            "tier": tier,
            "tier_due_at": due,
        }
        return Decision(
            decision_id=f"{key}:{RULE_ID}:{tier}",
            aggregate_key=key,
            rule_id=RULE_ID,
            kind=kind,
            decided_at=due,
            explanation=Explanation(RULE_ID, pack.name, pack.version, inputs),
            outcome=outcome,
        )


RULE = LateShipment()
