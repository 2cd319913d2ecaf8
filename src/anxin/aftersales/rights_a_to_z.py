"""Amazon A-to-z Guarantee (platform-rules.md §6): a buyer may claim when the order has not
arrived the pack's hours after the maximum estimated delivery date (EDD), until the pack's days
after it.

The maximum EDD is the latest ``deliver`` promise (an instant, or hours after payment). The
claim itself is the marketplace's (``delivery_promise`` already announces the opening with
``a_to_z.claim_eligible``): this right shows the window and its live clock.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import msgspec

from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Effect
from anxin.domain.order import OrderState
from anxin.domain.rights import VOID, Right, RightStatus
from anxin.domain.wording import Text, days, hours, when
from anxin.guarantees.rules.base import config_at_payment
from anxin.policy.pack import PolicyBook

RULE_ID = "a_to_z"


class AToZConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    opens_after_hours: int  # not arrived this long after the maximum EDD
    closes_after_days: int  # the claim deadline, after the maximum EDD

    def check(self, currency: str) -> None:
        del currency
        if self.opens_after_hours < 0 or self.closes_after_days < 1:
            raise ValueError("opens_after_hours must be ≥ 0 and closes_after_days ≥ 1")
        if self.opens_after_hours >= self.closes_after_days * 24:
            raise ValueError("the window must open before it closes")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: AToZConfig}


def max_edd(state: OrderState) -> dt.datetime | None:
    if state.paid_at is None:
        return None
    dues = [
        p.by if p.by is not None else state.paid_at + dt.timedelta(hours=p.within_hours or 0)
        for p in state.promises
        if p.kind == "deliver" and (p.by is not None or p.within_hours is not None)
    ]
    return max(dues, default=None)


def window(state: OrderState, config: AToZConfig) -> tuple[dt.datetime, dt.datetime] | None:
    """[opens, closes], both inclusive."""
    edd = max_edd(state)
    if edd is None:
        return None
    return (
        edd + dt.timedelta(hours=config.opens_after_hours),
        edd + dt.timedelta(days=config.closes_after_days),
    )


class AToZ:
    rule_id: ClassVar[str] = RULE_ID
    event_types: ClassVar[tuple[type[ev.Event], ...]] = ()
    scan_statuses: ClassVar[frozenset[str] | None] = None

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        return []  # shown, not enforced: the claim is the marketplace's

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        return []

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        found = config_at_payment(state, book, RULE_ID)
        span = window(state, found[1]) if found else None
        if found is None or span is None:
            return []
        pack, config = found
        zone = pack.calendar.zone
        opens, closes = span
        after, until = hours(config.opens_after_hours), days(config.closes_after_days)
        title = Text(
            f"亚马逊A-to-z保障：最晚预计送达日后{after.zh}仍未送达的，可在{until.zh}内"
            f"（{when(closes, zone, now).zh}前）提出索赔。",
            f"A-to-z Guarantee: not arrived {after.en} after the latest estimated delivery"
            f" date, you may claim within {until.en} of it (by {when(closes, zone, now).en}).",
        )
        delivered = state.delivered_at()
        status: RightStatus
        kept_at = None
        if delivered is not None and delivered <= opens:
            status, kept_at = "kept", delivered
            at = when(delivered, zone, now)
            explanation = Text(f"已于{at.zh}送达。", f"Delivered at {at.en}.")
        elif state.cancelled_at is not None and delivered is None:
            status, explanation = "expired", VOID
        elif now < opens:
            status = "in_force"
            at = when(opens, zone, now)
            explanation = Text(
                f"如{at.zh}仍未送达，即可索赔。", f"Not arrived by {at.en}: you may claim."
            )
        elif now <= closes:
            status = "in_force"
            at = when(closes, zone, now)
            explanation = Text(
                f"可以索赔：未按时送达，索赔期限为{at.zh}。",
                f"You may claim now: it did not arrive in time. The deadline is {at.en}.",
            )
        else:
            status = "expired"
            at = when(closes, zone, now)
            explanation = Text(f"索赔期限已于{at.zh}届满。", f"The claim window closed at {at.en}.")
        prefix = f"order:{state.order_id}:{RULE_ID}"
        facts = {"max_edd": max_edd(state), "claim_opens_at": opens}
        return [
            Right("a_to_z", RULE_ID, "after_sales", title, status, closes, prefix, facts,
                  kept_at=kept_at, explanation=explanation)
        ]  # fmt: skip


RULE = AToZ()
