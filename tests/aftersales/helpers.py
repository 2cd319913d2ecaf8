"""Shared builders for the after-sales tests: policies from the built-in packs, and a walk
that applies facts in order and keeps every effect."""

from __future__ import annotations

import datetime as dt

from anxin.aftersales.config import AftersalesConfig
from anxin.aftersales.facts import Fact, Kind, Requested
from anxin.aftersales.flows import Case, Effect, Grant, Policy, Rejected, apply
from anxin.application import load_policy

SECOND = dt.timedelta(seconds=1)
PAID = 10_000  # 100.00 in minor units


def policy(pack: str, version: str | None = None) -> Policy:
    book = load_policy(pack)
    chosen = book.latest if version is None else book.version(version)
    config = chosen.rule("aftersales")
    assert isinstance(config, AftersalesConfig)
    return Policy(config, chosen.calendar)


def request(
    at: dt.datetime,
    kind: Kind = "refund_only",
    *,
    shipped: bool = True,
    amount: int = PAID,
    refundable: int = PAID,
) -> Requested:
    return Requested(at, "as-1", kind, amount, "CNY", refundable, shipped)


def walk(p: Policy, facts: list[Fact]) -> tuple[Case | None, list[Effect]]:
    case: Case | None = None
    effects: list[Effect] = []
    for fact in facts:
        case, more = apply(case, fact, p)
        effects += more
    return case, effects


def grants(effects: list[Effect]) -> list[Grant]:
    return [e for e in effects if isinstance(e, Grant)]


def rejections(effects: list[Effect]) -> list[str]:
    return [e.reason for e in effects if isinstance(e, Rejected)]
