"""Fake-tracking signs on one parcel (Douyin / Tmall 轨迹异常; platform-rules.md §3.2, §3.5).

Pure: each sign is read from the order's facts — its scans, its addresses, its after-sales, and
the cross-order facts the engine folds in (another order on the same number, a cloned trace) —
and dated when it became visible. The logistics rule judges a sign when the parcel's watch
fires at or after that date, on the facts known then, and pays the pack's family once an order.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import msgspec

from anxin.contract import events as ev
from anxin.domain.address import same_place
from anxin.domain.money import Money
from anxin.domain.order import OrderState, Parcel
from anxin.domain.rights import Right, RightStatus, offer
from anxin.domain.wording import Text, exemption_name, sentences, when
from anxin.guarantees.rules.base import exemption
from anxin.guarantees.rules.logistics_config import FakeTracking, LogisticsConfig, Sign
from anxin.policy.pack import PolicyPack

# Signs are judged, and their decisions named, by the logistics rule (which imports this module).
RULE_ID = "logistics"

# Carrier reason for a parcel the sender had stopped and sent back (拦截, 召回; anxin.tracking).
RECALLED = "recalled"


# Each sign in words, for the guarantee hall.
SIGN_WORDS: dict[str, Text] = {
    "scan_before_payment": Text("物流扫描早于付款时间", "a tracking scan dated before payment"),
    "repeated_nodes": Text("同一物流节点重复出现", "the same tracking node repeated"),
    "reused_number": Text("运单号已用于其他地址", "the tracking number used for another address"),
    "consignee_mismatch": Text("收件人与订单地址不符", "a consignee who is not at your address"),
    "cloned_trace": Text("物流轨迹复制自其他包裹", "a track copied from another parcel"),
    "unauthorised_recall": Text("包裹未经同意被召回", "the parcel recalled without your consent"),
}


class SignSeen(msgspec.Struct, frozen=True):
    sign: Sign
    at: dt.datetime
    facts: dict[str, Any]


def signs(state: OrderState, parcel: Parcel, config: FakeTracking) -> list[SignSeen]:
    """Every configured sign present on the parcel, with when it became visible."""
    found: list[SignSeen] = []
    wanted = set(config.signs)
    scans = parcel.scans
    if "scan_before_payment" in wanted and scans and state.paid_at is not None:
        first = scans[0].at
        if first < state.paid_at:
            found.append(SignSeen("scan_before_payment", state.paid_at, {"first_scan_at": first}))
    if "repeated_nodes" in wanted:
        run = 1
        for before, scan in itertools.pairwise(scans):
            same = (before.code, before.text, before.location) == (
                scan.code,
                scan.text,
                scan.location,
            )
            run = run + 1 if same and scan.at > before.at else 1
            if run == config.repeated_nodes:
                node = {"code": scan.code, "text": scan.text, "location": scan.location}
                found.append(SignSeen("repeated_nodes", scan.at, {"node": node, "times": run}))
                break
    if "reused_number" in wanted and (other := state.borrowed_from(parcel)) is not None:
        there = msgspec.to_builtins(other.destination) if other.destination else None
        facts = {"other_order": other.order_id, "other_destination": there}
        found.append(SignSeen("reused_number", parcel.created_at, facts))
    if "consignee_mismatch" in wanted:
        mine = state.addresses()
        for scan in scans:
            if scan.consignee is None or not mine:
                continue
            if not any(same_place(a, scan.consignee) for a in mine):
                facts = {"consignee": _region(scan.consignee), "scan": scan.event_id}
                found.append(SignSeen("consignee_mismatch", scan.at, facts))
                break
    if "cloned_trace" in wanted and parcel.cloned is not None:
        c = parcel.cloned
        facts = {"other_order": c.order_id, "other_parcel": f"{c.carrier}:{c.tracking_number}"}
        found.append(SignSeen("cloned_trace", c.at, facts))
    if "unauthorised_recall" in wanted:
        recall = next((s for s in scans if s.reason == RECALLED), None)
        if recall is not None and not _consented(state, recall.at):
            facts = {"scan": recall.event_id, "text": recall.text}
            found.append(SignSeen("unauthorised_recall", recall.at, facts))
    return found


def _consented(state: OrderState, at: dt.datetime) -> bool:
    """The consumer asked for the parcel back, or to cancel, by ``at``."""
    cancelled = state.cancelled_at
    if cancelled is not None and state.cancelled_by == "consumer" and cancelled <= at:
        return True
    return any(a.requested_at <= at for a in state.aftersales)


def _region(region: ev.Region | None) -> dict[str, str] | None:
    return msgspec.to_builtins(region) if region is not None else None


def tracking_rights(
    state: OrderState,
    pack: PolicyPack,
    config: LogisticsConfig,
    parcel: Parcel,
    now: dt.datetime,
    owed: dict[str, Money],
) -> list[Right]:
    """Genuine tracking: one right per sign found on the parcel, or one in force if none."""
    fake = config.fake_tracking
    if fake is None:
        return []
    found = signs(state, parcel, fake)
    tn = parcel.tracking_number
    facts: dict[str, Any] = {"parcel": tn, "signs_checked": list(fake.signs)}
    title = offer(
        Text(f"包裹{tn}：物流轨迹真实", f"Parcel {tn}: genuine tracking"), owed.get(fake.family)
    )
    if not found:
        prefix = f"order:{state.order_id}:{RULE_ID}:genuine:{tn}"
        clean = Text("目前未发现虚假物流迹象。", "No sign of fake tracking so far.")
        return [
            Right(
                "genuine_tracking", RULE_ID, "shipped", title, "in_force", None, prefix, facts,
                explanation=clean,
            )
        ]  # fmt: skip
    rights = []
    for seen in found:
        exempt = exemption(state, pack, seen.at)
        status: RightStatus = "exempt" if exempt else "breached"
        if state.cancelled_at is not None and seen.at >= state.cancelled_at:
            status = "expired"  # signs seen after a cancellation are not judged
        elif seen.at > now:
            status = "in_force"
        at = when(seen.at, pack.calendar.zone, now)
        sign = SIGN_WORDS.get(seen.sign, Text(seen.sign, seen.sign))
        explanation = Text(f"于{at.zh}发现：{sign.zh}。", f"Found at {at.en}: {sign.en}.")
        if exempt:
            why = exemption_name(exempt["exemption"])
            explanation = sentences(
                explanation,
                Text(f"适用免责（{why.zh}），不予赔付。", f"Exempt ({why.en}): no payout."),
            )
        rights.append(
            Right(
                f"genuine_tracking.{seen.sign}", RULE_ID, "in_transit", title, status, seen.at,
                sign_id(state, parcel, seen.sign), {**facts, **seen.facts},
                explanation=explanation,
            )
        )  # fmt: skip
    return rights


def sign_id(state: OrderState, parcel: Parcel, sign: str) -> str:
    return f"order:{state.order_id}:{RULE_ID}:{sign}:{parcel.tracking_number}"
