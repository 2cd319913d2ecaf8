"""7-day no-reason return (七天无理由, platform-rules.md §4.4): the consumer may return the goods
without giving a reason within 168 h from 00:00 (the pack's zone) of the day after signature.

The window is half-open: the last second in time is 168 h after that midnight less one second
(23:59:59 of the seventh day), the instant shown as the deadline. Categories the pack excludes
(fresh food, virtual goods, custom-made ...) are not covered. A no-reason request after the
window, or for an excluded item, is recorded as an informational decision with its why; the
request itself goes on through the after-sales flow, which decides it.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import msgspec

from anxin.aftersales.rights_base import (
    case_inputs,
    categories_text,
    day_after,
    decide,
    excluded,
    items_of,
    words,
)
from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Effect
from anxin.domain.order import OrderState
from anxin.domain.rights import PENDING, VOID, Right, RightStatus
from anxin.domain.wording import Text, hours, when
from anxin.guarantees.rules.base import config_at_payment
from anxin.policy.pack import PolicyBook

RULE_ID = "no_reason_return"


class NoReasonReturnConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    hours: int  # from 00:00 the day after signature
    reasons: list[str]  # after-sale reasons that invoke the right (the simulator: no_reason)
    excluded_categories: list[str] = []  # item categories the right does not cover

    def check(self, currency: str) -> None:
        del currency
        if not 1 <= self.hours <= 24 * 366:
            raise ValueError("hours must be between 1 and 8784")
        if not self.reasons:
            raise ValueError("reasons must name at least one after-sale reason")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: NoReasonReturnConfig}

SIGNED = Text("签收后次日零点开始计时。", "The clock starts at 00:00 the day after you sign.")


def window(
    state: OrderState, config: NoReasonReturnConfig, zone: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime] | None:
    """[opens, last second in time] of the window, once the order was signed for."""
    signed = state.delivered_at()
    if signed is None:
        return None
    opens = day_after(signed, zone)
    return opens, opens + dt.timedelta(hours=config.hours) - dt.timedelta(seconds=1)


class NoReasonReturn:
    rule_id: ClassVar[str] = RULE_ID
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (ev.AfterSaleRequested,)
    scan_statuses: ClassVar[frozenset[str] | None] = None

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        assert isinstance(event, ev.AfterSaleRequested)
        found = config_at_payment(state, book, RULE_ID)
        case = state.aftersale(event.payload.aftersale_id)
        if found is None or case is None or case.reason not in found[1].reasons:
            return []
        pack, config = found
        at = case.requested_at
        decision_id = f"order:{state.order_id}:{RULE_ID}:{case.aftersale_id}"
        inputs = case_inputs(case)
        bad = excluded(items_of(state, case.skus), config.excluded_categories)
        if bad:
            names = categories_text(bad)
            why = Text(
                f"{names.zh}类商品不支持七天无理由退货。",
                f"Items in {names.en} cannot be returned without a reason.",
            )
            outcome: dict[str, object] = {
                "excluded": sorted({i.category for i in bad}),
                "why": words(why),
            }
            return [
                decide(state, pack, rule_id=RULE_ID, decision_id=decision_id,
                       kind="no_reason_excluded", at=at, inputs=inputs, outcome=outcome)
            ]  # fmt: skip
        span = window(state, config, pack.calendar.zone)
        if span is not None and at <= span[1]:
            return []  # in time: the flow decides the request
        closes = span[1] if span is not None else None
        inputs |= {"signed_at": state.delivered_at(), "window_closes_at": closes}
        zone = pack.calendar.zone
        why = (
            Text(
                f"七天无理由退货期限已于{when(span[1], zone).zh}届满。",
                f"The no-reason return window closed at {when(span[1], zone).en}.",
            )
            if span is not None
            else Text("订单尚未签收，七天无理由期限未开始。", "Not signed for yet: no window.")
        )
        outcome = {"window_closes_at": closes, "why": words(why)}
        return [
            decide(state, pack, rule_id=RULE_ID, decision_id=decision_id,
                   kind="no_reason_window_closed", at=at, inputs=inputs, outcome=outcome)
        ]  # fmt: skip

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        return []  # the window needs no clock: a request is judged against it when it comes

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        found = config_at_payment(state, book, RULE_ID)
        if found is None:
            return []
        pack, config = found
        zone = pack.calendar.zone
        span = window(state, config, zone)
        title = Text(
            f"支持七天无理由退货：签收次日零点起{hours(config.hours).zh}内可申请。",
            f"7-day no-reason return: ask within {hours(config.hours).en} from 00:00 the day"
            " after you sign.",
        )
        prefix = f"order:{state.order_id}:{RULE_ID}"
        bad = excluded(state.items, config.excluded_categories)
        facts: dict[str, object] = {"excluded_categories": sorted({i.category for i in bad})}
        status: RightStatus
        kept_at = None
        if bad and len(bad) == len(state.items):
            names = categories_text(bad)
            status, explanation = (
                "expired",
                Text(
                    f"不适用：{names.zh}类商品不支持七天无理由退货。",
                    f"Excluded: items in {names.en} cannot be returned without a reason.",
                ),
            )
            return [
                Right("no_reason_return", RULE_ID, "after_sales", title, status, None, prefix,
                      facts, explanation=explanation)
            ]  # fmt: skip
        used = next(
            (
                a
                for a in state.aftersales
                if a.reason in config.reasons and span and a.requested_at <= span[1]
            ),
            None,
        )
        due = span[1] if span else None
        if state.cancelled_at is not None and span is None:
            status, explanation = "expired", VOID
        elif span is None:
            status, explanation = "pending", SIGNED if state.paid_at else PENDING
        elif used is not None:
            at = when(used.requested_at, zone, now)
            status, kept_at = "kept", used.requested_at
            explanation = Text(
                f"已于{at.zh}申请七天无理由退货（售后{used.aftersale_id}）。",
                f"You asked for a no-reason return at {at.en} (after-sale {used.aftersale_id}).",
            )
        elif now <= span[1]:
            by = when(span[1], zone, now)
            status = "in_force"
            explanation = Text(
                f"保障中：可在{by.zh}前申请七天无理由退货。",
                f"In force: you may ask for a no-reason return until {by.en}.",
            )
        else:
            by = when(span[1], zone, now)
            status = "expired"
            explanation = Text(
                f"七天无理由退货期限已于{by.zh}届满。",
                f"The no-reason return window closed at {by.en}.",
            )
        if bad and status != "expired":
            names = categories_text(bad)
            explanation = Text(
                explanation.zh + f"{names.zh}类商品除外。",
                explanation.en + f" Items in {names.en} are excluded.",
            )
        if span is not None:
            facts |= {"opens_at": span[0], "signed_at": state.delivered_at()}
        return [
            Right("no_reason_return", RULE_ID, "after_sales", title, status, due, prefix, facts,
                  kept_at=kept_at, explanation=explanation)
        ]  # fmt: skip


RULE = NoReasonReturn()
