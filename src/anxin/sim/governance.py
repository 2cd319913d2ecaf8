"""Governance feedback: what the platform does to merchants, which the simulator obeys.

At the end of each simulated day the simulator calls ``governance.measures(day, merchant_ids,
report)`` and applies what comes back from the next day on:

- ``penalty``: the merchant ships faster while it lasts (lower late rate, shorter lateness,
  fewer stock-outs; factors in ``Mix.reactions``);
- ``payout``: compensation paid from its deposit: a milder, shorter improvement;
- ``presale_off``: presale rights revoked: it sells spot goods (listing promise, no presale date);
- ``order_cap``: at most ``amount`` orders per day;
- ``rectify``: a rectification plan (整改) about one violation type until ``until``: the
  merchant fixes the traits behind it while the plan runs and keeps part of the fix afterwards
  (factors in ``Mix.reactions``).

``report`` is the simulator's own ground truth for the day (per merchant, orders placed that
day with their fates). A governance built on anxin itself may ignore it and decide from the
events it ingested. With several shards each shard consults its own copy of the governance
about its own merchants (the object must be picklable when shards run in worker processes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

MeasureKind = Literal["payout", "penalty", "presale_off", "order_cap", "rectify"]


@dataclass(frozen=True, slots=True)
class Measure:
    kind: MeasureKind
    until: dt.date  # last day in force (inclusive)
    amount: int = 0  # payout / penalty: minor units; order_cap: orders per day
    reason: str = ""
    about: str = ""  # rectify: the violation type whose indicators the plan targets


@dataclass(slots=True)
class MerchantDay:
    """One merchant's orders placed on one day, by what really happened to them."""

    orders: int = 0
    paid: int = 0
    shipped: int = 0
    late: int = 0  # picked up after the binding promise
    out_of_stock: int = 0
    fake: int = 0  # false shipments and fake tracking
    fraud: int = 0
    amount_paid: int = 0  # minor units
    # What enforcement counts (anxin.enforcement.facts.Day), for the same orders: their due,
    # their after-sales and the conversations about them, however much later they happened.
    industry: str = ""
    admitted: int = 0  # of the stock-outs, cancelled by the merchant as out of stock
    due: int = 0  # paid, not cancelled before the due
    non_delivery: int = 0  # never shipped and no stock-out admitted
    promised: int = 0  # bound by a channel promise (video, live stream, chat)
    promise_broken: int = 0  # of them, not picked up by it
    rounds: int = 0  # answered chat rounds (a question and its answer), in service hours
    response_seconds: int = 0  # their response time
    sessions: int = 0
    unanswered: int = 0
    responses: int = 0  # the merchant's answers to after-sales requests
    refusals: int = 0
    unjustified: int = 0  # refusals the platform overturned
    tickets: int = 0  # cases escalated to the platform
    tickets_overdue: int = 0  # of them, no merchant evidence within a day


SERVICE_HOURS = (8, 23)  # conversations started in [08:00, 23:00) local count


@dataclass(slots=True)
class DayReport:
    day: dt.date
    merchants: dict[str, MerchantDay] = field(default_factory=dict)

    def of(self, merchant_id: str) -> MerchantDay:
        got = self.merchants.get(merchant_id)
        if got is None:
            got = self.merchants[merchant_id] = MerchantDay()
        return got


class Governance(Protocol):
    def measures(
        self, day: dt.date, merchant_ids: Sequence[str], report: DayReport
    ) -> Mapping[str, Sequence[Measure]]:
        """Measures per merchant id, decided at the end of ``day``; in force from the next."""
        ...


class NoGovernance:
    """A platform that never acts."""

    def measures(
        self, day: dt.date, merchant_ids: Sequence[str], report: DayReport
    ) -> Mapping[str, Sequence[Measure]]:
        return {}


@dataclass(frozen=True)
class SelfGovernance:
    """Simple measures from the simulator's own ground truth, Douyin-flavoured.

    - any late order: the day's late-shipment payouts (``payout_per_late`` each, 3 days);
    - late share above ``late_share`` of paid orders with at least ``min_orders``:
      a ``penalty`` for ``penalty_days``;
    - out-of-stock share above ``oos_share`` with at least ``min_orders``: presale rights
      revoked for ``presale_off_days``;
    - fake shipments above ``fake_share`` with at least ``min_fake``: an order cap.
    """

    late_share: float = 0.30
    min_orders: int = 10
    payout_per_late: int = 200  # minor units: Douyin's 1 % with a ¥2 minimum, roughly
    payout_days: int = 3
    penalty_days: int = 7
    penalty_amount: int = 100_000
    oos_share: float = 0.30
    presale_off_days: int = 14
    fake_share: float = 0.10
    min_fake: int = 3
    order_cap: int = 100
    cap_days: int = 7

    def measures(
        self, day: dt.date, merchant_ids: Sequence[str], report: DayReport
    ) -> Mapping[str, Sequence[Measure]]:
        out: dict[str, list[Measure]] = {}
        for mid in sorted(report.merchants):  # sorted: the result must not depend on hashing
            d = report.merchants[mid]
            got: list[Measure] = []
            if d.late:
                got.append(
                    self._m(
                        "payout",
                        day,
                        self.payout_days,
                        d.late * self.payout_per_late,
                        "late shipment",
                    )
                )
            if d.paid >= self.min_orders and d.late > self.late_share * d.paid:
                got.append(
                    self._m(
                        "penalty",
                        day,
                        self.penalty_days,
                        self.penalty_amount,
                        f"late share {d.late}/{d.paid}",
                    )
                )
            if d.paid >= self.min_orders and d.out_of_stock > self.oos_share * d.paid:
                got.append(
                    self._m(
                        "presale_off",
                        day,
                        self.presale_off_days,
                        0,
                        f"out of stock {d.out_of_stock}/{d.paid}",
                    )
                )
            if d.fake >= self.min_fake and d.fake > self.fake_share * max(1, d.shipped):
                got.append(
                    self._m(
                        "order_cap",
                        day,
                        self.cap_days,
                        self.order_cap,
                        f"fake shipments {d.fake}/{d.shipped}",
                    )
                )
            if got:
                out[mid] = got
        return out

    @staticmethod
    def _m(kind: MeasureKind, day: dt.date, days: int, amount: int, reason: str) -> Measure:
        return Measure(kind, day + dt.timedelta(days=days), amount, reason)
