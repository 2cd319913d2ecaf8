"""Rights: what protects an order at each node, as the guarantee hall shows it.

A rule describes the rights it enforces from the order's facts (``OrderRule.rights``); the hall
then overlays what the store recorded — a breach decision, an exemption, a payout — so the
status a consumer sees is derived from facts, never stored on its own. Every right speaks both
languages: a title that states the promise and an explanation of where it stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from anxin.domain.money import Money
from anxin.domain.wording import (
    EMPTY,
    PAID_AS,
    Text,
    duration,
    exemption_name,
    money,
    sentences,
    when,
)

Node = Literal["paid", "shipped", "in_transit", "delivered", "after_sales"]
# kept: the promise was met (``kept_at`` says when); expired: it stopped applying unmet and
# unbroken (the order was cancelled before its deadline); exempt: broken, but a platform
# exemption means nothing is paid.
RightStatus = Literal["pending", "in_force", "kept", "breached", "compensated", "expired", "exempt"]


class Right(msgspec.Struct, frozen=True):
    right_id: str  # stable within the order, e.g. "ship_by"
    rule_id: str
    node: Node
    title: Text  # the promise as a consumer reads it: "Ships by …, or you receive ¥3.00"
    status: RightStatus  # from facts alone; the hall overlays what was recorded
    due_at: dt.datetime | None = None
    # The order's decisions whose id is this, or this followed by ":…", belong here (the
    # longest such prefix wins, so a parcel "SF1" does not claim parcel "SF1:2"'s decisions).
    decision_prefix: str = ""
    facts: dict[str, Any] = {}
    kept_at: dt.datetime | None = None
    explanation: Text = EMPTY  # what the facts say, in words


class RecordedOutcome(msgspec.Struct, frozen=True):
    """What the store holds for a right: decisions by kind and the money paid."""

    kinds: frozenset[str]
    paid_amount: int
    currency: str | None
    decision_ids: tuple[str, ...]


def overlay(right: Right, recorded: RecordedOutcome | None) -> RightStatus:
    """The status a consumer sees: recorded outcomes beat the facts-only status (a breach judged
    on the facts known when its clock fired stays a breach, whatever scan arrives later)."""
    if recorded is None:
        return right.status
    if recorded.paid_amount > 0:
        return "compensated"
    if "breach" in recorded.kinds:
        return "breached"
    if "exempt" in recorded.kinds:
        return "exempt"
    return right.status


def claims(prefix: str, decision_id: str) -> bool:
    base = prefix.rstrip(":")
    return bool(base) and (decision_id == base or decision_id.startswith(base + ":"))


def owner(rights: Sequence[Right], decision_id: str) -> int | None:
    """Index of the right a decision belongs to: the longest prefix claiming it, else None."""
    best: tuple[int, int] | None = None
    for i, right in enumerate(rights):
        if claims(right.decision_prefix, decision_id):
            size = len(right.decision_prefix.rstrip(":"))
            if best is None or size > best[0]:
                best = (size, i)
    return None if best is None else best[1]


# ---------------------------------------------------------------- clocks in words


def clock_status(
    due: dt.datetime,
    done_at: dt.datetime | None,
    now: dt.datetime,
    *,
    void_at: dt.datetime | None = None,
    exempt: bool = False,
) -> RightStatus:
    """A deadline's status from facts: kept when done at or before ``due`` (one second later is
    a breach), expired when the order was cancelled (``void_at``) by then with nothing done,
    running until ``due`` passes; a breach the platform exempts is shown as exempt."""
    # The order the rules judge in: met in time; else cancelled by then; else late or running.
    if done_at is not None and done_at <= due:
        return "kept"
    if void_at is not None and void_at <= due:
        return "expired"
    if done_at is None and now <= due:
        return "in_force"
    return "exempt" if exempt else "breached"


PENDING = Text("订单付款后开始计时。", "The clock starts when the order is paid.")
VOID = Text(
    "订单在时限前已取消，本项保障不再适用。",
    "The order was cancelled before the deadline; this promise no longer applies.",
)


def clock_text(
    status: RightStatus,
    *,
    due: dt.datetime,
    done_at: dt.datetime | None,
    done: Text,
    zone: dt.tzinfo,
    now: dt.datetime,
    exemption: Text | None = None,
) -> Text:
    """Where a deadline stands, in words. ``done`` names what meets it: a Chinese verb ("发货")
    and an English participle ("shipped")."""
    if status == "pending":
        return PENDING
    if status == "expired":
        return VOID
    by = when(due, zone, now)
    if status == "kept" and done_at is not None:
        at = when(done_at, zone, now)
        return Text(f"已于{at.zh}{done.zh}，未超时。", f"{_cap(done.en)} at {at.en}, in time.")
    if status == "in_force":
        return Text(
            f"尚未{done.zh}，时限为{by.zh}。", f"Not {done.en} yet; the deadline is {by.en}."
        )
    if done_at is not None and done_at > due:
        at, late = when(done_at, zone, now), duration(done_at - due, units=2)
        text = Text(
            f"于{at.zh}{done.zh}，超时{late.zh}。", f"{_cap(done.en)} at {at.en}, {late.en} late."
        )
    else:
        text = Text(f"截至{by.zh}仍未{done.zh}。", f"Not {done.en} by {by.en}.")
    if status == "exempt":
        why = exemption or Text("免责情形", "an exemption")
        text = sentences(
            text,
            Text(
                f"适用免责（{why.zh}），不予赔付。", f"An exemption applies ({why.en}): no payout."
            ),
        )
    return text


def offer(promise: Text, owed: Money | None, auto_refund: bool = False) -> Text:
    """A promise and what breaking it pays: "…, or you receive ¥3.00."."""
    if owed is not None and owed.amount > 0:
        promise += Text(f"，否则赔付{money(owed)}", f", or you receive {money(owed)}")
    if auto_refund:
        promise += Text("，并自动同意退款", ", and your refund is approved automatically")
    return promise + Text("。", ".")


def _cap(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


# ---------------------------------------------------------------- what was recorded, in words


class Paid(msgspec.Struct, frozen=True):
    """A payout to the consumer as the ledger holds it."""

    txn_key: str
    decision_id: str | None
    amount: Money
    at: dt.datetime


class Decided(msgspec.Struct, frozen=True):
    decision_id: str
    kind: str
    at: dt.datetime
    outcome: dict[str, Any]


def recorded_text(
    decided: Sequence[Decided], paid: Sequence[Paid], zone: dt.tzinfo, now: dt.datetime
) -> Text:
    """What the store holds for a right, in words: each payout (the ledger's amount), an
    exemption, a cap that cut a payout, an automatic refund, or a breach that paid nothing."""
    out: list[Text] = []
    outcomes = {d.decision_id: d.outcome for d in decided}
    for p in paid:
        at, amount = when(p.at, zone, now), money(p.amount)
        form = PAID_AS.get(str(outcomes.get(p.decision_id or "", {}).get("paid_as", "")))
        out.append(
            Text(
                f"已于{at.zh}获赔{amount}" + (f"（{form.zh}）。" if form else "。"),
                f"You were paid {amount} at {at.en}" + (f", as {form.en}." if form else "."),
            )
        )
    for d in decided:
        cut = d.outcome.get("capped_by")
        if isinstance(cut, dict):
            limit, before = _money(cut.get("limit")), _money(cut.get("before"))
            if limit is not None and before is not None:
                out.append(
                    Text(
                        f"受共同赔付上限{money(limit)}限制，原应赔{money(before)}。",
                        f"A shared cap of {money(limit)} cut it from {money(before)}.",
                    )
                )
        if d.kind == "exempt":
            why = exemption_name(str(d.outcome.get("exemption", "")))
            out.append(Text(f"免责（{why.zh}），不予赔付。", f"Exempt ({why.en}): no payout."))
        if d.outcome.get("refund") == "full":
            out.append(Text("订单已关闭并全额退款。", "The order was closed with a full refund."))
    breaches = [d for d in decided if d.kind == "breach" and "refund" not in d.outcome]
    if breaches and not paid:
        at = when(breaches[0].at, zone, now)
        out.append(
            Text(
                f"已于{at.zh}判定违约，本项未产生赔付。",
                f"Breach recorded at {at.en}, with no payout.",
            )
        )
    return sentences(*out)


def _money(value: object) -> Money | None:
    if isinstance(value, dict) and isinstance(value.get("amount"), int):
        return Money(value["amount"], str(value.get("currency")))
    return None
