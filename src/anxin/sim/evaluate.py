"""Detection quality: the store's decisions against the simulator's ground truth.

After a simulated stream has been ingested and its deadlines fired, ``evaluate`` scores each
guarantee family the truth can judge: true and false positives, false negatives, precision,
recall, and a few example ids of each error kind. ``render`` prints the scores as a table.

Labels follow each rule's *published* definition (the policy pack), never anxin's rule code:

- ``late_shipment`` (tier 0) and ``late_shipment_<h>h`` (tier k): the order was shipped after its
  binding ship-by (+ the tier's hours), or neither shipped nor cancelled by then (the deadline
  is inclusive). "Shipped" is the carrier's first pickup scan; only when the carrier never
  scanned the order's parcel at all, the merchant's shipment click. The simulator's own
  ``shipped_late`` flag only covers orders that were really picked up: out-of-stock orders
  (cancelled after the ship-by) and false shipments (a click, never a pickup) differ, which
  the ``sim≠rule`` column counts.
- ``pickup_timeout`` / ``pickup_anomaly``: no pickup within 24 / 48 h of the tracking upload.
  A reused tracking number counts as never picked up (the carrier's scans belong to the
  order that used the number first); a number bought with a pre-payment trace was picked up
  before the upload.
- ``dispatch_timeout`` / ``dispatch_anomaly``: no first-hub scan within 24 / 48 h of pickup.
- ``transit_stall``: a silent gap between scans, from the first hub until the last leg, longer
  than 48 / 72 / 120 h by lane class (either end remote → 120; same province or one cluster →
  48; else 72; classes from the pack's lists). The simulator calls a parcel stalled when it
  injected a silent gap (median 60 h), whatever the threshold; the label instead uses the
  real gaps, so short injected stalls do not count and long ordinary legs (international
  flights) do. Scored per parcel, whichever scan anchored the decision.
- ``lost_parcel``: a lost parcel (truth) is reported by the stall clock of its last scan running
  out; scored as a stall decision anchored at the parcel's last scan.
- ``scan_before_payment``: the order's parcel was first scanned before the order was paid.
- ``reused_number``: the order shipped under a number the truth gives to another order, of
  another consumer, at another address (province or city).

The truth records give the binding ship-by, the real pickup, which parcel belongs to which
order, fake and false shipments, losses. Instants the truth does not record (the shipment click,
cancellations, each scan's time, the lane's provinces) are read from the stored event log,
which is the simulator's own output; scan stages come from the simulator's carrier vocabulary,
not anxin's scan normalizer. Clocks still running at the evaluation instant (the last ``tick``)
count as breached only when they ran out by then. ``sim≠rule`` counts where the simulator's own
flag (shipped late, a false shipment, an injected stall, lost, a pre-payment trace) disagrees
with the label: a difference of definitions, not a detection error.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.table import Table

from anxin.application import load_policy
from anxin.clock import from_us, to_us
from anxin.guarantees.rules.late_shipment import LateShipmentConfig
from anxin.guarantees.rules.logistics_config import LogisticsConfig, Timer
from anxin.policy.pack import NoPolicyInForce, PolicyBook, PolicyPack
from anxin.sim.carriers import ARRIVE, OUT, PICKUP, RETURN, RETURN_SIGNED, SIGNED
from anxin.sim.eval_inputs import (
    ParcelKey,
    _Decided,
    _now,
    _Order,
    _read_decisions,
    _read_log,
    _read_truth,
    _Trace,
    _Truth,
)

EXAMPLES = 5  # example ids kept per error kind
SCORED_RULES = "('late_shipment', 'logistics')"  # an SQL list: the rules scored here
_HOUR_US = 3_600_000_000
_FINAL_STAGES = frozenset({OUT, SIGNED, RETURN, RETURN_SIGNED})  # the last leg


@dataclass
class FamilyScore:
    family: str
    definition: str
    positives: int = 0  # by the truth
    detected: int = 0  # by anxin
    tp: int = 0
    fp: int = 0
    fn: int = 0
    sim_differs: int | None = None  # where the simulator's own flag disagrees with the label
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / self.detected if self.detected else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.positives if self.positives else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "definition": self.definition,
            "positives": self.positives,
            "detected": self.detected,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "sim_differs": self.sim_differs,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


@dataclass
class Evaluation:
    now: dt.datetime  # the evaluation instant: clocks running then count only if ran out
    orders: int
    parcels: int
    families: list[FamilyScore]
    unmatched: int = 0  # decisions of these rules about nothing the truth knows
    unmatched_examples: list[str] = field(default_factory=list)
    unscored: dict[str, int] = field(default_factory=dict)  # decisions of other rules, by rule

    def family(self, name: str) -> FamilyScore:
        for f in self.families:
            if f.family == name:
                return f
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "orders": self.orders,
            "parcels": self.parcels,
            "families": [f.to_dict() for f in self.families],
            "unmatched": self.unmatched,
            "unmatched_examples": self.unmatched_examples,
            "unscored": self.unscored,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# ---------------------------------------------------------------- scoring


class _Scorer:
    def __init__(self, family: str, definition: str, detected: set[Any]) -> None:
        self.score = FamilyScore(family, definition)
        self.detected = detected
        self.seen: set[Any] = set()
        self.differs = 0
        self.has_sim_flag = False

    def judge(self, item: Any, label: bool, sim_flag: bool | None = None) -> None:
        s = self.score
        self.seen.add(item)
        hit = item in self.detected
        s.positives += label
        s.detected += hit
        if label and hit:
            s.tp += 1
        elif hit:
            s.fp += 1
            if len(s.false_positives) < EXAMPLES:
                s.false_positives.append(_show(item))
        elif label:
            s.fn += 1
            if len(s.false_negatives) < EXAMPLES:
                s.false_negatives.append(_show(item))
        if sim_flag is not None:
            self.has_sim_flag = True
            self.differs += sim_flag != label

    def done(self) -> tuple[FamilyScore, list[Any]]:
        """The score, and detections about items outside the judged universe."""
        if self.has_sim_flag:
            self.score.sim_differs = self.differs
        return self.score, sorted(self.detected - self.seen)


def _show(item: Any) -> str:
    return ":".join(item) if isinstance(item, tuple) else str(item)


def _breached(anchor: int, satisfied: int | None, hours: float, now_us: int) -> bool:
    """A clock from ``anchor``: broken when satisfied after the due (inclusive), or not
    satisfied and the due passed by ``now``."""
    due = anchor + int(hours * _HOUR_US)
    return satisfied > due if satisfied is not None else due <= now_us


class _Packs:
    """The pack version in force at each payment (the one that judges the order)."""

    def __init__(self, book: PolicyBook) -> None:
        self.book = book

    def at(self, at_us: int | None) -> PolicyPack | None:
        if at_us is None:
            return None
        try:
            return self.book.in_force(from_us(at_us))
        except NoPolicyInForce:
            return None


def _lane_hours(timer: Timer, config: LogisticsConfig, origin: str, destination: str) -> int:
    """The published lane classes: a remote end first, then one province or one cluster."""
    if timer.hours is not None:
        return timer.hours
    region = timer.by_region
    assert region is not None
    if origin in config.remote or destination in config.remote:
        return region.remote
    if origin and origin == destination:
        return region.local
    if any(origin in c and destination in c for c in config.clusters):
        return region.local
    return region.cross_province


def evaluate(
    sql_engine: sa.Engine,
    truth_path: Path | str,
    *,
    pack: str | None = None,
    now: dt.datetime | None = None,
) -> Evaluation:
    """Score the store's late-shipment and logistics decisions against the ground truth.

    ``pack`` defaults to the pack named by most scored decisions (else douyin); ``now`` to the
    last tick."""
    truth = _read_truth(Path(truth_path))
    with sql_engine.connect() as conn:
        at = now or _now(conn)
        orders, traces = _read_log(conn)
        decided = _read_decisions(conn)
        pack = pack or _pack_of(conn)
        others = conn.execute(
            sa.text(
                "SELECT rule_id, count(*) FROM decisions WHERE rule_id NOT IN "
                f"{SCORED_RULES} GROUP BY rule_id ORDER BY rule_id"
            )
        )
        unscored = {str(rule): int(n) for rule, n in others}
    now_us = to_us(at)
    packs = _Packs(load_policy(pack))

    families: list[FamilyScore] = []
    unmatched: list[str] = list(decided.other)
    for scorer in _late_shipment(truth, orders, traces, decided, packs, now_us):
        score, outside = scorer.done()
        families.append(score)
        unmatched += [f"order:{o}:late_shipment" for o in outside]
    for scorer in _logistics(truth, orders, traces, decided, packs, now_us):
        score, outside = scorer.done()
        families.append(score)
        if score.family != "lost_parcel":  # its detections are stall decisions, scored there
            unmatched += [f"order:{o}:logistics:{score.family}:{t}" for o, t in outside]
    parcels = sum(len(o.shipments) for o in orders.values())
    return Evaluation(
        at, len(truth.orders), parcels, families, len(unmatched), unmatched[:EXAMPLES], unscored
    )


def _pack_of(conn: sa.Connection) -> str:
    name = conn.execute(
        sa.text(
            f"SELECT pack FROM decisions WHERE rule_id IN {SCORED_RULES} "
            "GROUP BY pack ORDER BY count(*) DESC LIMIT 1"
        )
    ).scalar()
    return str(name) if name else "douyin"


def _late_shipment(
    truth: _Truth,
    orders: Mapping[str, _Order],
    traces: Mapping[ParcelKey, _Trace],
    decided: _Decided,
    packs: _Packs,
    now_us: int,
) -> Iterator[_Scorer]:
    # Decision ids name the tier by its index in the pack that judged the order: by hours here.
    detected: dict[int, set[str]] = defaultdict(set)
    for index, order_ids in decided.late.items():
        for order_id in order_ids:
            config = _late_config(orders.get(order_id), packs)
            tiers = config.lateness_tiers_hours if config else []
            hours = tiers[index] if index < len(tiers) else -1  # -1: about nothing known
            detected[hours].add(order_id)
    scorers: dict[int, _Scorer] = {}
    for order_id, t in truth.orders.items():
        order = orders.get(order_id)
        config = _late_config(order, packs)
        if order is None or config is None:
            continue
        shipped = _shipped(order_id, order, truth, traces)
        due_us = to_us(t.promised_due)
        for hours in config.lateness_tiers_hours:
            due = due_us + hours * _HOUR_US
            if shipped is not None:
                late = shipped > due
            else:
                cancelled = order.cancelled_us is not None and order.cancelled_us <= due
                late = not cancelled and due <= now_us
            scorer = scorers.get(hours)
            if scorer is None:
                scorer = scorers[hours] = _Scorer(
                    "late_shipment" if hours == 0 else f"late_shipment_{hours}h",
                    "shipped (first pickup scan, else the click without carrier data) after "
                    f"the ship-by{f' + {hours} h' if hours else ''}, or neither shipped nor "
                    "cancelled by then",
                    detected[hours],
                )
            scorer.judge(order_id, late, bool(t.shipped_late) if hours == 0 else None)
    yield from (scorers[h] for h in sorted(scorers))
    if detected.get(-1):
        yield _Scorer("late_shipment_unknown_tier", "a tier no pack defines", detected[-1])


def _late_config(order: _Order | None, packs: _Packs) -> LateShipmentConfig | None:
    policy = packs.at(order.paid_us) if order else None
    return _late(policy) if policy else None


def _late(policy: PolicyPack) -> LateShipmentConfig | None:
    config: LateShipmentConfig | None = policy.rule("late_shipment")
    return config


def _owned(
    order_id: str, key: ParcelKey, truth: _Truth, traces: Mapping[ParcelKey, _Trace]
) -> _Trace | None:
    """The parcel's scans, if they belong to this order (a reused number's stay with the order
    that used it first)."""
    parcel = truth.parcels.get(key)
    if parcel is None or parcel.order_id != order_id:
        return None
    return traces.get(key)


def _shipped(
    order_id: str, order: _Order, truth: _Truth, traces: Mapping[ParcelKey, _Trace]
) -> int | None:
    """When the goods left: the carrier's first pickup, else the click without carrier data."""
    owned = [tr for s in order.shipments if (tr := _owned(order_id, s.key, truth, traces))]
    pickups = [p for tr in owned if (p := tr.first((PICKUP,))) is not None]
    if pickups:
        return min(pickups)
    if order.shipments and not any(tr.scans for tr in owned):
        return min(s.uploaded_us for s in order.shipments)
    return None


def _logistics(
    truth: _Truth,
    orders: Mapping[str, _Order],
    traces: Mapping[ParcelKey, _Trace],
    decided: _Decided,
    packs: _Packs,
    now_us: int,
) -> Iterator[_Scorer]:
    timers: dict[str, Timer] = {}
    for version in packs.book.versions:
        known: LogisticsConfig | None = version.rule("logistics")
        for timer in known.timers if known else []:
            timers.setdefault(timer.id, timer)
    scorers = {
        tid: _Scorer(tid, _timer_definition(timer), decided.timers[tid])
        for tid, timer in timers.items()
    }
    # A lost parcel shows as the stall clock of its last scan running out (filled below).
    lost_seen: set[tuple[str, str]] = set()
    lost = _Scorer("lost_parcel", "lost: the stall clock of its last scan ran out", lost_seen)
    before_payment = _Scorer(
        "scan_before_payment",
        "the parcel's first scan came before the payment",
        decided.timers["scan_before_payment"],
    )
    reused = _Scorer(
        "reused_number",
        "the number already shipped another consumer's order to another address",
        decided.timers["reused_number"],
    )
    for order_id in truth.orders:
        order = orders.get(order_id)
        policy = packs.at(order.paid_us) if order else None
        config: LogisticsConfig | None = policy.rule("logistics") if policy else None
        if order is None or config is None:
            continue
        for s in order.shipments:
            item = (order_id, s.key[1])
            trace = _owned(order_id, s.key, truth, traces)
            fake = truth.shipments.get((order_id, *s.key))
            owner = truth.parcels.get(s.key)
            first = orders.get(owner.order_id) if owner and owner.order_id != order_id else None
            reused.judge(
                item,
                first is not None and _another_address(first, order),
                fake is not None and fake.why == "reused_number",
            )
            pickup = trace.first((PICKUP,)) if trace else None
            dispatched = trace.first((ARRIVE,), pickup) if trace and pickup is not None else None
            for timer in config.timers:
                hours = _lane_hours(timer, config, s.origin, order.destination)
                scorer = scorers[timer.id]
                if timer.after == "upload":
                    late = _breached(s.uploaded_us, pickup, hours, now_us)
                    due = s.uploaded_us + hours * _HOUR_US
                    cancelled = order.cancelled_us is not None and order.cancelled_us <= due
                    false_ship = fake is not None and fake.why in ("no_pickup", "late_pickup")
                    scorer.judge(item, late and not cancelled, false_ship)
                elif trace is None or pickup is None:
                    scorer.judge(item, False)  # no carrier data: no clock after pickup starts
                elif timer.after == "pickup":
                    stop = dispatched if timer.until == "dispatch" else trace.next_after(pickup)
                    scorer.judge(item, _breached(pickup, stop, hours, now_us))
                else:
                    parcel = truth.parcels[s.key]
                    gaps = _stalls(trace, dispatched, hours, now_us)
                    scorer.judge(item, bool(gaps), parcel.stalled_hours > 0)
                    if item in lost.seen:
                        continue  # judged on the first stall timer
                    if trace.scans[-1][1] in decided.stall_anchors.get(item, ()):
                        lost_seen.add(item)
                    ran_out = trace.scans[-1][0] + hours * _HOUR_US <= now_us
                    lost.judge(item, parcel.lost and ran_out, parcel.lost)
            if trace is not None and trace.scans and order.paid_us is not None:
                early = trace.scans[0][0] < order.paid_us
                sim = fake is not None and fake.why == "pre_payment_scan"
                before_payment.judge(item, early, sim)
    yield from scorers.values()
    yield lost
    yield before_payment
    yield reused


def _another_address(first: _Order, order: _Order) -> bool:
    """Another consumer, and the addresses differ where both name them."""
    if first.consumer_id == order.consumer_id:
        return False
    province = bool(first.destination and order.destination)
    city = bool(first.city and order.city)
    if not (province or city):
        return True  # nothing to compare: the number is not this order's
    return (province and first.destination != order.destination) or (
        city and first.city != order.city
    )


def _timer_definition(timer: Timer) -> str:
    until = {"pickup": "pickup", "dispatch": "first hub scan", "next_scan": "further scan"}
    after = {"upload": "tracking upload", "pickup": "pickup", "last_scan": "a scan in transit"}
    if timer.hours is not None:
        hours = f"{timer.hours} h"
    else:
        r = timer.by_region
        assert r is not None
        hours = f"{r.local}/{r.cross_province}/{r.remote} h by lane"
    return f"no {until[timer.until]} within {hours} of the {after[timer.after]}"


def _stalls(trace: _Trace, dispatched: int | None, hours: float, now_us: int) -> list[int]:
    """Anchors of silent gaps longer than ``hours`` from the first hub until the last leg (a
    gap still open at ``now`` counts once it is longer)."""
    if dispatched is None:
        return []
    final = trace.first(_FINAL_STAGES)
    out = []
    scans = trace.scans
    for i, (at, _, _) in enumerate(scans):
        if at < dispatched or (final is not None and at >= final):
            continue
        after = next((x for x, _, _ in scans[i + 1 :] if x > at), None)
        if _breached(at, after, hours, now_us):
            out.append(at)
    return out


# ---------------------------------------------------------------- report


def render(evaluation: Evaluation) -> Table:
    """The scores as a rich table (the demo report adds it)."""
    table = Table(
        title="Detection vs ground truth (simulator)",
        title_justify="left",
        caption=(
            f"judged at {evaluation.now.isoformat()} · {evaluation.orders:,} paid orders, "
            f"{evaluation.parcels:,} parcels · sim≠rule: the simulator's own flag differs from "
            f"the rule's definition · {evaluation.unmatched} unmatched decisions"
            + "".join(f" · {rule}: {n:,} not scored" for rule, n in evaluation.unscored.items())
        ),
    )
    for col in ("family", "truth", "detected", "TP", "FP", "FN", "precision", "recall"):
        table.add_column(col, justify="left" if col == "family" else "right")
    table.add_column("sim≠rule", justify="right")
    table.add_column("examples (FP / FN)")
    for f in evaluation.families:
        examples = " ".join(f.false_positives[:2]) + " / " + " ".join(f.false_negatives[:2])
        table.add_row(
            f.family,
            f"{f.positives:,}",
            f"{f.detected:,}",
            f"{f.tp:,}",
            f"{f.fp:,}",
            f"{f.fn:,}",
            _pct(f.precision),
            _pct(f.recall),
            "" if f.sim_differs is None else f"{f.sim_differs:,}",
            examples if f.fp or f.fn else "",
        )
    return table


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"
