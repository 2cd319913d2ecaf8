"""Privileges the score gates (platform-rules.md §1.4), as pack data re-evaluated every day.

A privilege is granted while all its conditions hold. Conditions compare one of a merchant's
daily facts — the score and its dimensions, violations, after-sales success, return rate, the
score's drop since the day before — with a number from the pack. Enforcement measures withdraw
privileges directly: while a measure of a kind the pack lists under ``withdrawn_by`` is in force
for the merchant, the privilege is refused whatever its conditions, and the verdict names the
measure. Evaluation is pure (the daily run reads the measures in force and passes them in); the
run stores each merchant's current grants and emits a ``merchant.privilege_changed`` message
(with the conditions and measures that decided it) whenever one flips.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

import msgspec

from anxin.domain.standing import Measure, withdrawing

Op = Literal[">=", ">", "<=", "<", "==", "!="]
OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip
# Facts a condition may name (``daily_facts`` computes them).
FACTS = frozenset(
    {
        "score", "formal", "product", "logistics", "service", "violations_30d",
        "aftersale_success_rate", "return_rate", "large_items", "score_drop", "valid_orders",
    }
)  # fmt: skip


class Condition(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    fact: str
    op: Op
    value: float
    # Only for merchants where this fact is true (e.g. large-item shops' stricter return cap).
    when: str | None = None


class Privilege(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    conditions: list[Condition]
    name: str = ""  # the marketplace's name, for merchants
    # A missing fact (no score yet, no after-sales): grant or refuse.
    missing: Literal["refuse", "grant"] = "refuse"


# Privileges anxin itself honours outside the daily run (presale: gated at ingest), which a
# pack may withdraw by measures even where the score grants nothing (``privileges: {}``).
GATED_AT_INGEST = frozenset({"presale"})
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")  # a measure kind as enforcement names it


class PrivilegesConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    # The window, in days before the evaluation, of the facts counted from orders: violations,
    # after-sales success, return rate (Douyin: 30 days).
    window_days: Annotated[int, msgspec.Meta(ge=1)]
    privileges: dict[str, Privilege] = {}
    large_item_industries: list[str] = []  # shops held to the stricter return-rate cap
    # privilege → the measure kinds that withdraw it while in force (presale_off, suspension …).
    withdrawn_by: dict[str, list[str]] = {}

    def check(self, currency: str) -> None:
        del currency
        for pid, kinds in self.withdrawn_by.items():
            if pid not in self.privileges and pid not in GATED_AT_INGEST:
                known = sorted(set(self.privileges) | GATED_AT_INGEST)
                raise ValueError(f"withdrawn_by: unknown privilege {pid!r}; known: {known}")
            if not kinds:
                raise ValueError(f"withdrawn_by.{pid}: name at least one measure kind")
            if len(set(kinds)) != len(kinds):
                raise ValueError(f"withdrawn_by.{pid}: a measure kind is listed twice")
            for kind in kinds:
                if not _KIND.match(kind):
                    raise ValueError(f"withdrawn_by.{pid}: {kind!r} is not a measure kind")
        for pid, p in self.privileges.items():
            if not p.conditions:
                raise ValueError(f"privilege {pid}: needs at least one condition")
            for c in p.conditions:
                for name in (c.fact, c.when):
                    if name is not None and name not in FACTS:
                        raise ValueError(
                            f"privilege {pid}: unknown fact {name!r}; known: {sorted(FACTS)}"
                        )


SCHEMAS: dict[str, type[msgspec.Struct]] = {"privileges": PrivilegesConfig}


class Verdict(msgspec.Struct, frozen=True):
    privilege: str
    granted: bool
    reasons: list[dict[str, Any]]  # each condition: fact, op, value, actual, held


def measure_reason(measure: Measure) -> dict[str, Any]:
    """A withdrawing measure, explained like a condition that failed: none may be in force."""
    return {"fact": "measure_in_force", "op": "==", "value": 0.0, "actual": 1.0, "held": False,
            **measure.reason()}  # fmt: skip


def evaluate(
    facts: Mapping[str, float | None],
    config: PrivilegesConfig,
    measures: Sequence[Measure] = (),
) -> dict[str, Verdict]:
    """Every privilege's verdict for one merchant's facts of the day; ``measures``: the
    merchant's active measures in force that day (any kind; the pack's ``withdrawn_by`` picks)."""
    out: dict[str, Verdict] = {}
    for pid, p in config.privileges.items():
        reasons = []
        granted = True
        for c in p.conditions:
            if c.when is not None and not facts.get(c.when):
                continue
            actual = facts.get(c.fact)
            held = (p.missing == "grant") if actual is None else OPS[c.op](actual, c.value)
            granted = granted and held
            reasons.append(
                {"fact": c.fact, "op": c.op, "value": c.value, "actual": actual, "held": held}
            )
        for m in withdrawing(measures, config.withdrawn_by.get(pid, ())):
            granted = False
            reasons.append(measure_reason(m))
        out[pid] = Verdict(pid, granted, reasons)
    return out


def transitions(before: Mapping[str, bool], now: Mapping[str, Verdict]) -> list[Verdict]:
    """The verdicts that changed since ``before`` (a privilege never evaluated counts as not
    granted: a new shop is told what it gained)."""
    return [v for pid, v in sorted(now.items()) if before.get(pid, False) != v.granted]


def daily_facts(
    score: float,
    formal: bool,
    dimensions: Mapping[str, float | None],
    sums: Mapping[str, int],
    valid_orders: int,
    large_items: bool,
    yesterday: float | None,
) -> dict[str, float | None]:
    """One merchant's facts of the day, as conditions name them."""

    def share(numerator: int, denominator: int) -> float | None:
        return numerator / denominator if denominator else None

    return {
        "score": score,
        "formal": 1.0 if formal else 0.0,
        "product": dimensions.get("product"),
        "logistics": dimensions.get("logistics"),
        "service": dimensions.get("service"),
        "violations_30d": float(sums.get("violations", 0)),
        "aftersale_success_rate": share(
            sums.get("aftersales_agreed", 0), sums.get("aftersales", 0)
        ),
        "return_rate": share(sums.get("returned_orders", 0), sums.get("shipped_orders", 0)),
        "large_items": 1.0 if large_items else 0.0,
        "score_drop": None if yesterday is None else round(yesterday - score, 2),
        "valid_orders": float(valid_orders),
    }
