"""Never signed (长期未签收): an order neither delivered nor cancelled long after payment is
closed with an automatic refund (Douyin: 365 days with no shipment and no track; platform-rules.md
§2.1, and the never-signed auto refund of DY-发货规则 §4.1.6). One clock per order, judged when it
fires; a delivery cancels it."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

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
from anxin.domain.order import OrderState
from anxin.domain.rights import Right, clock_status, clock_text
from anxin.domain.wording import Text, days, when
from anxin.guarantees.rules.base import config_at_payment
from anxin.policy.pack import PolicyBook

RULE_ID = "never_signed"


class NeverSignedConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    days: int  # after payment

    def check(self, currency: str) -> None:
        if self.days < 1:
            raise ValueError("days must be at least 1")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: NeverSignedConfig}


class NeverSigned:
    rule_id: ClassVar[str] = RULE_ID
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (ev.OrderPaid, ev.TrackingScanned)
    scan_statuses: ClassVar[frozenset[str] | None] = frozenset(
        {"delivered"}
    )  # the delivering scan settles it

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        paid = isinstance(event, ev.OrderPaid)
        delivered = None if paid else state.delivered_at()
        if not paid and delivered != event.occurred_at:
            return []  # only the scan that delivered the order settles it (most scans: cheap)
        found = config_at_payment(state, book, RULE_ID)
        if found is None or state.paid_at is None:
            return []
        pack, config = found
        key = f"order:{state.order_id}"
        in_time = state.paid_at + dt.timedelta(days=config.days)
        if paid:
            return [
                ScheduleDeadline(f"{key}:{RULE_ID}", key, RULE_ID, in_time, pack.name, pack.version)
            ]
        if delivered is not None and delivered <= in_time:
            return [CancelDeadline(f"{key}:{RULE_ID}")]  # signed in time: settled for good
        return []

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        pack = book.version(deadline.pack_version)
        due = pack.calendar.local(deadline.due_at)
        delivered = state.delivered_at()
        if (delivered is not None and delivered <= due) or (
            state.cancelled_at is not None and state.cancelled_at <= due
        ):
            return []
        key = f"order:{state.order_id}"
        decision_id = f"{key}:{RULE_ID}"
        inputs = {"paid_at": state.paid_at, "due_at": due, "parcels": len(state.parcels)}
        body = {
            "order_id": state.order_id,
            "consumer_id": state.consumer_id,
            "reason": RULE_ID,
            "decision_id": decision_id,
        }
        return [
            Decision(
                decision_id,
                key,
                RULE_ID,
                "breach",
                due,
                Explanation(RULE_ID, pack.name, pack.version, inputs),
                {"refund": "full"},
            ),
            OutboxMessage(f"refund:{decision_id}", "refund.auto_approved", key, due, body),
        ]

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        found = config_at_payment(state, book, RULE_ID)
        if found is None or state.paid_at is None:
            return []
        pack, config = found
        due = state.paid_at + dt.timedelta(days=config.days)
        delivered = state.delivered_at()
        status = clock_status(due, delivered, now, void_at=state.cancelled_at)
        zone = pack.calendar.zone
        by, span = when(due, zone, now), days(config.days)
        title = Text(
            f"付款后{span.zh}内（{by.zh}前）仍未签收的，订单自动关闭并全额退款。",
            f"Not signed for within {span.en} of payment (by {by.en}): the order is closed"
            " and refunded in full.",
        )
        explanation = clock_text(
            status, due=due, done_at=delivered, done=Text("签收", "signed for"), zone=zone, now=now
        )
        return [
            Right(
                "never_signed",
                RULE_ID,
                "in_transit",
                title,
                status,
                due,
                f"order:{state.order_id}:{RULE_ID}",
                kept_at=delivered if status == "kept" else None,
                explanation=explanation,
            )
        ]


RULE = NeverSigned()
