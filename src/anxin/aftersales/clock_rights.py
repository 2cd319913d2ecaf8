"""The after-sales clocks as rights in the guarantee hall: one right per case, showing the clock
the case runs now (or ran last) and what its running out means, from the replayed facts."""

from __future__ import annotations

import datetime as dt

from anxin.aftersales.config import RULE_ID, TimerName
from anxin.aftersales.replay import MERCHANT_CLOCKS, CaseRun, Clock
from anxin.domain.order import OrderState
from anxin.domain.rights import Right, RightStatus, clock_text
from anxin.domain.wording import Text, sentences, when

# What meets each clock: a Chinese verb and an English participle (``clock_text``'s ``done``).
DONE: dict[str, Text] = {
    "merchant_response": Text("处理", "answered"),
    "return_confirmation": Text("确认退货", "confirmed"),
    "consumer_ships_return": Text("寄回", "shipped back"),
    "escalation_window": Text("申请平台介入", "escalated"),
}


def case_right(state: OrderState, run: CaseRun, prefix: str, now: dt.datetime) -> Right | None:
    """The case's right, or None for a request no flow took up (nothing runs for it)."""
    if run.case is None or not run.clocks:
        return None
    clock = run.clocks[-1]
    zone = run.pack.calendar.zone
    status = _status(clock)
    explanation = clock_text(
        "in_force" if status == "expired" else status,
        due=clock.due,
        done_at=clock.ended_at if status == "kept" else None,
        done=DONE[clock.timer],
        zone=zone,
        now=now,
    )
    if clock.ran_out:
        explanation = sentences(_not_met(clock, zone, now), _timeout(run, clock.timer))
    return Right(
        f"{RULE_ID}:{run.aftersale_id}",
        RULE_ID,
        "after_sales",
        _title(run, clock.timer, when(clock.due, zone, now)),
        status,
        clock.due,
        prefix,
        facts={
            "aftersale_id": run.aftersale_id,
            "flow": run.case.flow,
            "state": run.case.state,
            "clock": clock.timer,
            "requested_at": run.requested_at,
        },
        kept_at=clock.ended_at if status == "kept" else None,
        explanation=explanation,
    )


def _status(clock: Clock) -> RightStatus:
    if clock.ended_at is None:
        return "in_force"
    if not clock.ran_out:
        return "kept"
    # A merchant's silence broke its clock; a consumer's clock running out only closes a door.
    return "breached" if clock.timer in MERCHANT_CLOCKS else "expired"


def _title(run: CaseRun, timer: TimerName, by: Text) -> Text:
    config = run.config
    if timer in ("merchant_response", "return_confirmation"):
        clock = (
            config.merchant_response
            if timer == "merchant_response"
            else (config.return_confirmation)
        )
        approve = clock.on_timeout == "approve"
        then = (
            Text("逾期自动同意", "or it is approved")
            if approve
            else Text("逾期由平台介入", "or the platform steps in")
        )
        if timer == "merchant_response":
            return Text(
                f"商家须在{by.zh}前处理您的售后申请，{then.zh}。",
                f"The merchant answers your request by {by.en}, {then.en}.",
            )
        return Text(
            f"商家须在{by.zh}前确认收到退货，{then.zh}。",
            f"The merchant confirms your return by {by.en}, {then.en}.",
        )
    if timer == "consumer_ships_return":
        return Text(
            f"请在{by.zh}前寄回商品，逾期申请关闭。",
            f"Ship the goods back by {by.en}, or the request closes.",
        )
    return Text(
        f"商家拒绝后，您可在{by.zh}前申请平台介入。",
        f"After the merchant's refusal you may ask the platform to step in until {by.en}.",
    )


def _not_met(clock: Clock, zone: dt.tzinfo, now: dt.datetime) -> Text:
    by, done = when(clock.due, zone, now), DONE[clock.timer]
    return Text(f"截至{by.zh}仍未{done.zh}。", f"Not {done.en} by {by.en}.")


def _timeout(run: CaseRun, timer: TimerName) -> Text:
    """What the pack did when the clock ran out."""
    if timer == "consumer_ships_return":
        return Text("申请已关闭。", "The request closed.")
    if timer == "escalation_window":
        return Text("拒绝结果生效。", "The refusal stands.")
    config = run.config
    clock = config.merchant_response if timer == "merchant_response" else config.return_confirmation
    if clock.on_timeout == "escalate":
        return Text("已转平台介入。", "The platform stepped in.")
    return Text("已自动同意。", "It was approved automatically.")
