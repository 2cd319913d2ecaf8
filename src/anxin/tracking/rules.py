"""The machinery behind the carrier tables: an outcome per code, ordered text rules, and the
classification of one (code, text) pair. The tables themselves live in ``anxin.tracking.carriers``.

Classification:

- a known code decides the status; its reason is a default the text may make more specific;
- a *coarse* code (an umbrella such as UPS's type ``X`` or Kuaidi100's ``在途``) only decides
  when the text says nothing more precise;
- text rules are tried in order: the first rule giving a status gives the status, the first rule
  giving a reason gives the reason (so "滞留，原因：天气原因" is held, for weather).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from anxin.tracking.vocabulary import INCIDENTS, Reason, Status


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status | None = None  # None: the rule only contributes a reason
    reason: Reason | None = None
    coarse: bool = False  # an umbrella code: the text may choose a more precise status


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: re.Pattern[str]
    outcome: Outcome


def code(status: Status, reason: Reason | None = None, *, coarse: bool = False) -> Outcome:
    """A code table entry."""
    return Outcome(status, reason, coarse)


def rule(pattern: str, status: Status | None = None, reason: Reason | None = None) -> Rule:
    """A text rule; patterns are case-insensitive regular expressions."""
    return Rule(re.compile(pattern, re.IGNORECASE), Outcome(status, reason))


@dataclass(frozen=True, slots=True)
class CarrierVocabulary:
    """One carrier's codes and text rules, and the zone its offset-less times are written in."""

    name: str
    codes: Mapping[str, Outcome] = field(default_factory=lambda: MappingProxyType({}))
    rules: Sequence[Rule] = ()
    zone: str = "UTC"
    aliases: tuple[str, ...] = ()

    def extended(
        self,
        codes: Mapping[str, Outcome] | None = None,
        rules: Iterable[Rule] = (),
    ) -> CarrierVocabulary:
        """A copy with extra codes (overriding) and extra rules (tried first)."""
        merged = {**self.codes, **(codes or {})}
        return CarrierVocabulary(
            self.name,
            MappingProxyType(merged),
            (*rules, *self.rules),
            self.zone,
            self.aliases,
        )


def codes(table: Mapping[str, Outcome]) -> Mapping[str, Outcome]:
    """Freeze a code table; lookups try the code as written, then upper-cased."""
    return MappingProxyType(dict(table))


@dataclass(frozen=True, slots=True)
class Classified:
    status: Status
    reason: Reason | None
    by: str  # "code", "text", "code+text" or "none": how the status was decided


def classify_text(rules: Sequence[Rule], text: str) -> tuple[Status | None, Reason | None]:
    status: Status | None = None
    reason: Reason | None = None
    if not text:
        return None, None
    for r in rules:
        if status is not None and reason is not None:
            break
        o = r.outcome
        if (status is None and o.status is not None) or (reason is None and o.reason is not None):
            if not r.pattern.search(text):
                continue
            if status is None and o.status is not None:
                status = o.status
            if reason is None and o.reason is not None:
                reason = o.reason
    return status, reason


def lookup(table: Mapping[str, Outcome], raw_code: str) -> Outcome | None:
    """The code as written, then upper-cased; a composite ``primary/secondary`` code tries its
    parts from the most specific (last) one."""
    key = raw_code.strip()
    if not key:
        return None
    parts = [key]
    if "/" in key:
        parts.extend(reversed([p.strip() for p in key.split("/") if p.strip()]))
    for part in parts:
        hit = table.get(part)
        if hit is None:
            hit = table.get(part.upper())
        if hit is not None:
            return hit
    return None


def classify(vocabulary: CarrierVocabulary, raw_code: str, text: str) -> Classified:
    by_code = lookup(vocabulary.codes, raw_code)
    text_status, text_reason = classify_text(vocabulary.rules, text)
    if by_code is not None and by_code.status is not None:
        if by_code.coarse and text_status is not None:
            # The text refined an umbrella code: the code's default reason no longer applies.
            status, reason, by = text_status, text_reason, "code+text"
        else:
            status, reason, by = by_code.status, text_reason or by_code.reason, "code"
    elif text_status is not None:
        status, reason, by = text_status, text_reason, "text"
    elif text_reason is not None:
        # The text names an incident but no stage: an exception for that reason.
        status, reason, by = Status.exception, text_reason, "text"
    else:
        status, reason, by = Status.unknown, None, "none"
    if status in INCIDENTS and reason is None:
        reason = Reason.unknown
    return Classified(status, reason, by)
