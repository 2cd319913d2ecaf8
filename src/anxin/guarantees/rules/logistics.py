"""Logistics guarantees: pickup timeout, dispatch timeout, transit stall and fake-tracking signs.

Every trigger is a timer on one parcel: an anchor fact (the tracking upload, the first pickup,
the latest scan in transit) and a threshold, kept unless a satisfying fact arrives in time. The
pack lists the timers and groups them into payout families (Douyin 物流轨迹超时 / 轨迹异常,
Tmall 虚假发货 / 超时 / 异常); a family pays once per order, optionally under a shared cap.

Clocks are judged when they fire (one moving watch per parcel), on the facts known then: a
clock stopped late is judged at its own due time like one never stopped, so scans arriving out
of order cannot change what is paid.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

import msgspec

from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import (
    Decision,
    Effect,
    Explanation,
    OutboxMessage,
    ScheduleDeadline,
)
from anxin.domain.money import Money
from anxin.domain.order import Finding, OrderState, Parcel
from anxin.domain.rights import VOID, Node, Right, clock_status, clock_text, offer
from anxin.domain.wording import Text, exemption_name, hours
from anxin.guarantees.rules.base import config_at_payment, exemption
from anxin.guarantees.rules.fake_tracking import SignSeen, sign_id, signs, tracking_rights
from anxin.guarantees.rules.late_shipment import binding_at_payment
from anxin.guarantees.rules.logistics_config import (
    ANCHOR_WORDS,
    UNTIL_WORDS,
    LogisticsConfig,
    Timer,
    timer_words,
)
from anxin.guarantees.rules.payout import Funder, compensate
from anxin.policy.pack import PolicyBook, PolicyPack

RULE_ID = "logistics"


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: LogisticsConfig}


def _threshold(timer: Timer, config: LogisticsConfig, state: OrderState, parcel: Parcel) -> int:
    if timer.hours is not None:
        return timer.hours
    assert timer.by_region is not None
    to = state.current_destination()
    destination = to.province if to else ""
    lane = config.lane_class(parcel.origin_province, destination)
    return int(getattr(timer.by_region, lane))


class Episode(msgspec.Struct, frozen=True):
    """One run of a timer: the clock starts at ``anchor_at``; ``satisfied_at`` stops it."""

    key: str
    anchor_at: dt.datetime
    satisfied_at: dt.datetime | None


class Milestones(msgspec.Struct, frozen=True):
    """A parcel's milestones, found in one pass over its (time-sorted) scans."""

    pickup_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    final_at: dt.datetime | None
    stall: tuple[Episode, ...]  # every stall clock (each scan in transit starts one)
    updated_at: dt.datetime | None = None  # the first scan after the pickup (any update)


def milestones(parcel: Parcel) -> Milestones:
    pickup, dispatched, final = parcel.pickup_at(), parcel.dispatched_at(), parcel.final_at()
    stall: list[Episode] = []
    if dispatched is not None:
        # Every scan from the first hub until the last leg starts its own stall clock, stopped
        # by the next scan — so a stall is found whatever order the scans arrive in.
        scans = parcel.scans
        for i, scan in enumerate(scans):
            if scan.at < dispatched or (final is not None and scan.at >= final):
                continue
            after = next((x.at for x in scans[i + 1 :] if x.at > scan.at), None)
            stall.append(Episode(scan.event_id, scan.at, after))
    updated = None
    if pickup is not None:
        updated = next((s.at for s in parcel.scans if s.at > pickup), None)
    return Milestones(pickup, dispatched, final, tuple(stall), updated)


def episodes(timer: Timer, parcel: Parcel, m: Milestones | None = None) -> list[Episode]:
    """The timer's clocks on this parcel."""
    m = m or milestones(parcel)
    if timer.after == "upload":
        return [Episode("upload", parcel.created_at, m.pickup_at)]
    if timer.after == "pickup":
        stop = m.dispatched_at if timer.until == "dispatch" else m.updated_at
        return [Episode("pickup", m.pickup_at, stop)] if m.pickup_at else []
    return list(m.stall)


def _open(
    state: OrderState, config: LogisticsConfig, parcel: Parcel, m: Milestones | None = None
) -> list[tuple[Timer, Episode, dt.datetime]]:
    """Clocks not judged yet and not kept: still running, or stopped after they ran out (those
    are judged when their clock fires, on the facts known then). A cancellation ends only the
    clocks that were still running when it came."""
    m = m or milestones(parcel)
    out = []
    for timer in config.timers:
        found = episodes(timer, parcel, m)
        if not found:
            continue
        hours = dt.timedelta(hours=_threshold(timer, config, state, parcel))  # per timer, once
        for episode in found:
            due = episode.anchor_at + hours
            if _kept(episode, due) or (
                state.findings and state.decided(_episode_id(state, timer, parcel, episode))
            ):
                continue
            if state.cancelled_at is None or due < state.cancelled_at:
                out.append((timer, episode, due))
    return out


def _kept(episode: Episode, due: dt.datetime) -> bool:
    return episode.satisfied_at is not None and episode.satisfied_at <= due


class Logistics:
    rule_id: ClassVar[str] = RULE_ID
    scan_statuses: ClassVar[frozenset[str] | None] = None
    # Clocks are judged when they fire, on the facts known then (a scan can arrive before an
    # earlier one); the parcel's watch is set once the batch is folded (``settle``). No event
    # needs an answer on its own.
    event_types: ClassVar[tuple[type[ev.Event], ...]] = ()

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        return []

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        if not state.parcels:
            return []
        configured = config_at_payment(state, book, RULE_ID)
        if configured is None:
            return []
        pack, config = configured
        return [self._watch(state, pack, config, p, after=None) for p in state.parcels]

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        pack = book.version(deadline.pack_version)
        config: LogisticsConfig | None = pack.rule(RULE_ID)
        parcel = state.parcel(deadline.data["carrier"], deadline.data["tracking"])
        if config is None or parcel is None:
            return []
        now = pack.calendar.local(deadline.due_at)
        effects: list[Effect] = []
        for timer, episode, due in _open(state, config, parcel):
            if due <= now:
                effects += self._breach(state, pack, config, timer, parcel, episode, due)
        for seen in _open_signs(state, config, parcel):
            if seen.at <= now:
                effects += self._fake_tracking(state, pack, config, parcel, seen)
        return [*effects, self._watch(state, pack, config, parcel, after=now)]

    def _watch(
        self,
        state: OrderState,
        pack: PolicyPack,
        config: LogisticsConfig,
        parcel: Parcel,
        after: dt.datetime | None,
        m: Milestones | None = None,
    ) -> Effect:
        """One watch per parcel, due at the earliest running clock (or cancelled if none)."""
        watch_id = f"order:{state.order_id}:{RULE_ID}:watch:{parcel.tracking_number}"
        running = [due for _, _, due in _open(state, config, parcel, m)]
        running += [seen.at for seen in _open_signs(state, config, parcel)]
        dues = [due for due in running if after is None or due > after]
        data = {"carrier": parcel.carrier, "tracking": parcel.tracking_number}
        # Nothing left to watch: the row stays, idle, dated at the parcel's upload.
        due = min(dues) if dues else parcel.created_at
        return ScheduleDeadline(
            watch_id,
            f"order:{state.order_id}",
            RULE_ID,
            due,
            pack.name,
            pack.version,
            data,
            replace=True,
            idle=not dues,
        )

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        found = config_at_payment(state, book, RULE_ID)
        if found is None:
            return []
        pack, config = found
        paid, hours_promised = state.paid(), _promised_hours(state, pack)
        owed = {  # what each family pays this order, uncapped (the ledger has what was paid)
            name: next(
                c for c in f.payouts if c.up_to_hours is None or hours_promised <= c.up_to_hours
            ).amount(paid)
            for name, f in config.families.items()
            if paid is not None
        }
        rights: list[Right] = []
        for parcel in state.parcels:
            m = milestones(parcel)
            for timer in config.timers:
                rights.append(_timer_right(state, pack, config, timer, parcel, m, now, owed))
            rights += tracking_rights(state, pack, config, parcel, now, owed)
        return rights

    # ---------------------------------------------------------------- internals

    def _breach(
        self,
        state: OrderState,
        pack: PolicyPack,
        config: LogisticsConfig,
        timer: Timer,
        parcel: Parcel,
        episode: Episode,
        due: dt.datetime,
    ) -> list[Effect]:
        base = _episode_id(state, timer, parcel, episode)
        facts = {
            "timer": timer.id,
            "anchor": episode.key,
            "anchor_at": episode.anchor_at,
            "due_at": due,
            "parcel": parcel.tracking_number,
            "carrier": parcel.carrier,
        }
        funder = None
        promotion = pack.calendar.promotion_at(due) if timer.promotion_funded_by else None
        if promotion is not None:
            funder = timer.promotion_funded_by
            facts["promotion"] = promotion.name
        effects = self._pay(state, pack, config, timer.family, base, due, facts, funder)
        if timer.auto_refund:
            effects.append(
                OutboxMessage(
                    f"refund:{base}",
                    "refund.auto_approved",
                    f"order:{state.order_id}",
                    due,
                    {"order_id": state.order_id, "reason": timer.id, "decision_id": base},
                )
            )
        task_due = due + dt.timedelta(hours=timer.task_hours)
        effects.append(
            OutboxMessage(
                f"task:{base}",
                f"{timer.task_for}.task",
                f"order:{state.order_id}",
                due,
                {
                    "order_id": state.order_id,
                    "merchant_id": state.merchant_id,
                    "carrier": parcel.carrier,
                    "tracking_number": parcel.tracking_number,
                    "task": f"resolve_{timer.id}",
                    "due_at": task_due.isoformat(),
                    "decision_id": base,
                },
            )
        )
        return effects

    def _fake_tracking(
        self,
        state: OrderState,
        pack: PolicyPack,
        config: LogisticsConfig,
        parcel: Parcel,
        seen: SignSeen,
    ) -> list[Effect]:
        assert config.fake_tracking is not None
        family = config.fake_tracking.family
        base = sign_id(state, parcel, seen.sign)
        facts = {
            "sign": seen.sign,
            **seen.facts,
            "paid_at": state.paid_at,
            "parcel": parcel.tracking_number,
            "carrier": parcel.carrier,
        }
        return self._pay(state, pack, config, family, base, seen.at, facts)

    def _pay(
        self,
        state: OrderState,
        pack: PolicyPack,
        config: LogisticsConfig,
        family_name: str,
        decision_id: str,
        at: dt.datetime,
        facts: dict[str, Any],
        funder: Funder | None = None,
    ) -> list[Effect]:
        paid = state.paid()
        family = config.families[family_name]
        exempt = exemption(state, pack, at)
        hours = _promised_hours(state, pack)
        amount = Money.zero(paid.currency) if paid else None
        parties = bool(state.consumer_id and state.merchant_id)
        once = state.paid_for_family(frozenset({family_name})) == 0  # a family pays once an order
        if paid is not None and parties and once and exempt is None:
            spec = next(
                c for c in family.payouts if c.up_to_hours is None or hours <= c.up_to_hours
            )
            amount = _capped(spec.amount(paid), state, config, family_name, paid)
        outcome: dict[str, Any] = {
            "family": family_name,
            "payout": amount.to_dict() if amount else None,
            "paid_as": config.paid_as,
            **(exempt or {}),
        }
        inputs = {**facts, "promised_ship_hours": round(hours, 3)}
        decision = Decision(
            decision_id,
            f"order:{state.order_id}",
            RULE_ID,
            "exempt" if exempt else "breach",
            at,
            Explanation(RULE_ID, pack.name, pack.version, inputs),
            outcome,
        )
        # Noted at once: a second breach found by the same event must see this payout (caps).
        state.record(Finding.of(decision))
        effects: list[Effect] = [decision]
        if amount is not None and exempt is None:
            effects += compensate(
                state,
                pack,
                rule_id=RULE_ID,
                decision_id=decision_id,
                payout_key=f"payout:order:{state.order_id}:{family_name}",
                amount=amount,
                at=at,
                funded_by=funder or family.funded_by,
                paid_as=config.paid_as,
                reason=family_name,
                ledger_reason=f"{RULE_ID}.{family_name}",
            )
        return effects


def _timer_right(
    state: OrderState,
    pack: PolicyPack,
    config: LogisticsConfig,
    timer: Timer,
    parcel: Parcel,
    m: Milestones,
    now: dt.datetime,
    owed: dict[str, Money],
) -> Right:
    """One right per timer and parcel, over all its clocks: a breach of any (a stall at any
    node) breaks it, a running clock keeps it in force, and it is kept when every clock was."""
    threshold = _threshold(timer, config, state, parcel)
    words = timer_words(timer.after, timer.until, hours(threshold))
    tn = parcel.tracking_number
    title = offer(
        Text(f"包裹{tn}：", f"Parcel {tn}: ") + words, owed.get(timer.family), timer.auto_refund
    )
    # Every clock's decision starts with this (``_episode_id``).
    prefix = f"order:{state.order_id}:{RULE_ID}:{timer.id}:{tn}"
    facts = {"family": timer.family, "parcel": tn, "hours": threshold}
    node: Node = "shipped" if timer.after == "upload" else "in_transit"
    clocks = episodes(timer, parcel, m)
    if not clocks:
        if state.cancelled_at is not None:
            return Right(
                timer.id, RULE_ID, node, title, "expired", None, prefix, facts, explanation=VOID
            )
        start = ANCHOR_WORDS[timer.after]
        waiting = Text(f"{start.zh}后开始计时。", f"The clock starts at {start.en}.")
        return Right(
            timer.id, RULE_ID, node, title, "pending", None, prefix, facts, explanation=waiting
        )
    judged = []
    for episode in clocks:
        due = episode.anchor_at + dt.timedelta(hours=threshold)
        exempt = exemption(state, pack, due)
        status = clock_status(
            due, episode.satisfied_at, now, void_at=state.cancelled_at, exempt=exempt is not None
        )
        judged.append((status, episode, due, exempt))
    rank = {"breached": 0, "exempt": 1, "in_force": 2, "expired": 3}
    status, episode, due, exempt = (
        min(judged, key=lambda j: rank.get(j[0], 4))
        if any(j[0] != "kept" for j in judged)
        else judged[-1]
    )
    explanation = clock_text(
        status,
        due=due,
        done_at=episode.satisfied_at,
        done=UNTIL_WORDS[timer.until],
        zone=pack.calendar.zone,
        now=now,
        exemption=exemption_name(exempt["exemption"]) if exempt else None,
    )
    kept = episode.satisfied_at if status == "kept" else None
    return Right(
        timer.id, RULE_ID, node, title, status, due, prefix, facts,
        kept_at=kept, explanation=explanation,
    )  # fmt: skip


def _open_signs(state: OrderState, config: LogisticsConfig, parcel: Parcel) -> list[SignSeen]:
    """Fake-tracking signs on the parcel not judged yet (none after a cancellation)."""
    if config.fake_tracking is None or state.paid_at is None:
        return []
    return [
        seen
        for seen in signs(state, parcel, config.fake_tracking)
        if not state.decided(sign_id(state, parcel, seen.sign))
        and (state.cancelled_at is None or seen.at < state.cancelled_at)
    ]


def _episode_id(state: OrderState, timer: Timer, parcel: Parcel, episode: Episode) -> str:
    base = f"order:{state.order_id}:{RULE_ID}:{timer.id}:{parcel.tracking_number}"
    return f"{base}:{episode.key}" if timer.after == "last_scan" else base


def _promised_hours(state: OrderState, pack: PolicyPack) -> float:
    """The binding ship promise's length, which picks the payout class (≤ 48 h, longer)."""
    return binding_at_payment(state, pack).promised_hours


def _capped(
    amount: Money, state: OrderState, config: LogisticsConfig, family: str, paid: Money
) -> Money:
    for cap in config.caps:
        if family not in cap.families:
            continue
        limits = []
        if cap.max_percent is not None:
            limits.append(
                Money(
                    (paid.amount * int(Decimal(str(cap.max_percent)) * 100)) // 10_000,
                    paid.currency,
                )
            )
        if cap.max is not None:
            limits.append(Money.of_major(Decimal(str(cap.max)), paid.currency))
        room = min(limits) - Money(state.paid_for_family(frozenset(cap.families)), paid.currency)
        amount = min(amount, max(room, Money.zero(paid.currency)))
    return amount


RULE = Logistics()
