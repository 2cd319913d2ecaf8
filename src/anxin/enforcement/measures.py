"""A rung's measures made concrete for one violation (pure): start, end, amount, lift.

- Money measures are computed from the merchant's own paid-and-kept amounts over the pack's
  basis window before the violation day (a freeze of 2x the last 30 days, a deduction of 0.15 %
  of the week's GMV …), clamped to the pack's minimum and maximum.
- An order cap as a share of the daily average over its basis window rounds down.
- ``lift``: ``expiry`` ends after ``days``; ``cured`` ends the day after the cure (late-shipment
  caps: the overdue orders picked up, §2.1; other measures: the rectification plan completed);
  ``never`` stays (expulsion). One-off measures (warning, deduction, score points) act once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from anxin.domain.money import Money
from anxin.enforcement.config import LASTING, MeasureSpec, Rung
from anxin.enforcement.facts import MerchantFacts, window
from anxin.enforcement.violations import Found


@dataclass(frozen=True, slots=True)
class Imposed:
    measure_id: str
    violation_id: str
    merchant_id: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None  # None: until cured, for good, or (one-off) not applicable
    lift: str  # expiry | cured | never | once
    amount: Money | None  # a deduction or a freeze
    orders_per_day: int | None  # an order cap
    deduction: str | None  # a score deduction's kind (its points are the score's)
    basis: dict[str, Any]  # what the amount was computed from

    @property
    def lasting(self) -> bool:
        return self.lift != "once"


def impose(
    found: Found,
    nth: int,
    rung: Rung,
    merchant: MerchantFacts,
    noticed_at: dt.datetime,
    currency: str,
) -> list[Imposed]:
    out: list[Imposed] = []
    for i, spec in enumerate(rung.measures):
        basis: dict[str, Any] = {"rung": nth}
        amount: Money | None = None
        cap: int | None = None
        if spec.basis_days is not None:
            # The window ends with the violation day ("the late orders' settlement", "the last
            # 30 days' settlements", "the week's GMV").
            sums = window(merchant.days, found.day, spec.basis_days)
            basis.update(basis_days=spec.basis_days, basis_amount=sums.gmv,
                         basis_orders=sums.paid)  # fmt: skip
            amount = spec.money(sums.gmv, currency)
            cap = spec.cap(Decimal(sums.paid) / spec.basis_days)
        else:
            amount = spec.money(0, currency)
            cap = spec.cap(Decimal(0))
        out.append(
            Imposed(
                measure_id=f"{found.violation_id}:{i}:{spec.kind}",
                violation_id=found.violation_id,
                merchant_id=found.merchant_id,
                kind=spec.kind,
                starts_at=noticed_at,
                ends_at=_ends(spec, noticed_at),
                lift=_lift(spec),
                amount=amount if amount is not None and amount.amount > 0 else None,
                orders_per_day=cap if spec.kind == "order_cap" else None,
                deduction=spec.deduction,
                basis=basis,
            )
        )
    return out


def _lift(spec: MeasureSpec) -> str:
    if spec.kind == "expulsion":
        return "never"
    if spec.kind not in LASTING:
        return "once"
    return spec.lift


def _ends(spec: MeasureSpec, start: dt.datetime) -> dt.datetime | None:
    """A lasting measure with ``days`` ends then at the latest (a cured one may end sooner)."""
    if _lift(spec) in ("once", "never") or spec.days is None:
        return None
    return start + dt.timedelta(days=spec.days)


def in_force(starts_at: dt.datetime, ends_at: dt.datetime | None, at: dt.datetime) -> bool:
    """From its start (inclusive) to its end (exclusive)."""
    return starts_at <= at and (ends_at is None or at < ends_at)


def next_midnight(at: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The start of the local day after ``at``: a cured cap lifts "the next day" (§2.1)."""
    local = at.astimezone(zone)
    return dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
