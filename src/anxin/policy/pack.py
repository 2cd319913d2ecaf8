"""Policy packs: versioned, effective-dated rule data, validated on load.

A pack is a directory of YAML files, one per version (``packs/douyin/2025-09-29.yaml``). Each
file states its ``effective_from``; the version in force at a fact's time is the one applied
("the rule in force when it happened applies"). Each rule owns the schema of its own section
(``rules.<rule_id>``); the composition root (``anxin.application``) hands the loader every
capability's schemas, so a pack can never carry a section no rule understands, and this module
imports no rule.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import msgspec
import yaml

from anxin.clock import to_us
from anxin.domain.calendar import BusinessCalendar, Period, TimeWindow
from anxin.domain.money import is_known_currency

BUILTIN_PACKS = "anxin.policy.packs"


class PolicyError(ValueError):
    """An invalid pack: which file, which key, and why."""

    def __init__(self, file: str, key: str, why: str) -> None:
        super().__init__(f"{file}: {key}: {why}")
        self.file, self.key, self.why = file, key, why


class NoPolicyInForce(LookupError):
    pass


# ------------------------------------------------------------------ file schema

Aware = Annotated[dt.datetime, msgspec.Meta(tz=True)]
ClockTime = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Annotated[str, msgspec.Meta(pattern=r"^(mon|tue|wed|thu|fri|sat|sun)$")]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class PeriodSpec(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    start: Aware
    end: Aware


class CalendarSpec(msgspec.Struct, forbid_unknown_fields=True):
    timezone: str
    working_days: list[Weekday] = msgspec.field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"]
    )
    working_hours: list[ClockTime] = msgspec.field(default_factory=lambda: ["09:00", "18:00"])
    holidays: list[dt.date] = []
    extra_working_days: list[dt.date] = []
    promotions: list[PeriodSpec] = []
    exemptions: list[PeriodSpec] = []


class PackFile(msgspec.Struct, forbid_unknown_fields=True):
    pack: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*$")]
    version: Annotated[str, msgspec.Meta(min_length=1)]
    effective_from: Aware
    currency: str
    calendar: CalendarSpec
    title: str = ""
    sources: list[str] = []
    rules: dict[str, Any] = {}


# The schema of each ``rules.<rule_id>`` section a pack may carry, by rule id.
RuleSchemas = Mapping[str, type[msgspec.Struct]]


# ------------------------------------------------------------------ loaded pack


@dataclass(frozen=True)
class PolicyPack:
    name: str
    version: str
    effective_from: dt.datetime
    currency: str
    calendar: BusinessCalendar
    rules: Mapping[str, Any]
    title: str = ""
    sources: tuple[str, ...] = ()
    file: str = ""
    document: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def rule(self, rule_id: str) -> Any | None:
        """The rule's validated config, or None when this version does not enable the rule."""
        return self.rules.get(rule_id)


_MISSING = re.compile(r"missing required field `([^`]+)`")
_UNKNOWN = re.compile(r"unknown field `([^`]+)`")
_AT = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")


def _key_of(path: str) -> str:
    return path.lstrip(".") or "(top level)"


def _name_entries(data: Any, path: str, field: str, present: bool) -> str:
    """msgspec names an entry of a mapping ``[...]``; name it by its key instead. For a field
    missing (``present`` False) or unknown (True), the entry msgspec stopped at is the first, in
    the file's order, whose object lacks (holds) the field. Unresolved, the path stays as is."""
    steps = [(m[1] or "", m[2] or "") for m in _STEP.finditer(path)]
    if "".join(m[0] for m in _STEP.finditer(path)) != path or ("", "...") not in steps:
        return path

    def walk(node: Any, rest: list[tuple[str, str]]) -> str | None:
        if not rest:
            return "" if isinstance(node, dict) and (field in node) == present else None
        (key, index), tail = rest[0], rest[1:]
        if key and isinstance(node, dict) and key in node:
            found = walk(node[key], tail)
            return None if found is None else f".{key}{found}"
        if index.isdigit() and isinstance(node, list) and int(index) < len(node):
            found = walk(node[int(index)], tail)
            return None if found is None else f"[{index}]{found}"
        if index == "..." and isinstance(node, dict):
            for name, value in node.items():
                if (found := walk(value, tail)) is not None:
                    return f".{name}{found}"
        return None

    return walk(data, steps) or path


def _convert(data: Any, type_: type[Any], file: str, prefix: str = "") -> Any:
    try:
        return msgspec.convert(data, type_, strict=False)
    except msgspec.ValidationError as exc:
        m = _AT.match(str(exc))
        assert m is not None
        path = m["path"] or ""
        missing, unknown = _MISSING.search(m["msg"]), _UNKNOWN.search(m["msg"])
        if named := missing or unknown:
            path = _name_entries(data, path, named[1], present=unknown is not None)
        if missing:  # name the missing key itself
            path = f"{path}.{missing[1]}"
        path = f"{prefix}{path}"
        raise PolicyError(file, _key_of(path), m["msg"]) from None


def _clock(value: str) -> dt.time:
    hour, minute = value.split(":")
    return dt.time(int(hour), int(minute))


def _calendar(spec: CalendarSpec, file: str) -> BusinessCalendar:
    if len(spec.working_hours) != 2:
        raise PolicyError(
            file, "calendar.working_hours", "expected [start, end], e.g. [09:00, 18:00]"
        )
    start, end = (_clock(x) for x in spec.working_hours)
    if end <= start:
        raise PolicyError(file, "calendar.working_hours", "end must be after start")
    window = (TimeWindow(start, end),)
    days = {WEEKDAYS.index(d) for d in spec.working_days}
    try:
        return BusinessCalendar(
            timezone=spec.timezone,
            working_hours=tuple(window if i in days else () for i in range(7)),
            holidays=frozenset(spec.holidays),
            extra_working_days=frozenset(spec.extra_working_days),
            promotions=tuple(Period(p.start, p.end, p.name) for p in spec.promotions),
            exemption_periods=tuple(Period(p.start, p.end, p.name) for p in spec.exemptions),
        )
    except (ValueError, KeyError) as exc:
        raise PolicyError(file, "calendar", str(exc)) from None


def parse_pack(document: Any, file: str, schemas: RuleSchemas) -> PolicyPack:
    """Validate one parsed YAML document into a pack; raises :class:`PolicyError`."""
    if not isinstance(document, dict):
        raise PolicyError(file, "(top level)", "a pack file must be a mapping")
    spec: PackFile = _convert(document, PackFile, file)
    if not is_known_currency(spec.currency):
        raise PolicyError(file, "currency", f"unknown currency {spec.currency!r}")
    rules: dict[str, Any] = {}
    for rule_id, section in spec.rules.items():
        config_type = schemas.get(rule_id)
        if config_type is None:
            known = ", ".join(sorted(schemas)) or "none"
            raise PolicyError(file, f"rules.{rule_id}", f"no such rule (known: {known})")
        config = _convert(section, config_type, file, f".rules.{rule_id}")
        check = getattr(config, "check", None)
        if check is not None:
            try:
                check(spec.currency)
            except ValueError as exc:
                raise PolicyError(file, f"rules.{rule_id}", str(exc)) from None
        rules[rule_id] = config
    return PolicyPack(
        name=spec.pack,
        version=spec.version,
        effective_from=spec.effective_from,
        currency=spec.currency,
        calendar=_calendar(spec.calendar, file),
        rules=rules,
        title=spec.title,
        sources=tuple(spec.sources),
        file=file,
        document=document,
    )


def load_pack_file(path: Path, schemas: RuleSchemas) -> PolicyPack:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyError(str(path), "(syntax)", str(exc).replace("\n", " ")) from None
    return parse_pack(document, str(path), schemas)


class PolicyBook:
    """All versions of one pack, answering "which version was in force at time t"."""

    def __init__(self, versions: list[PolicyPack]) -> None:
        if not versions:
            raise ValueError("a policy book needs at least one version")
        names = {v.name for v in versions}
        if len(names) != 1:
            raise PolicyError(versions[0].file, "pack", f"mixed packs in one book: {sorted(names)}")
        self.versions = sorted(versions, key=lambda v: v.effective_from)
        for a, b in zip(self.versions, self.versions[1:], strict=False):
            if a.effective_from == b.effective_from:
                raise PolicyError(b.file, "effective_from", f"same instant as {a.file}")
        seen: dict[str, str] = {}
        for v in self.versions:
            if v.version in seen:
                raise PolicyError(
                    v.file, "version", f"version {v.version!r} also in {seen[v.version]}"
                )
            seen[v.version] = v.file
        self._starts = [to_us(v.effective_from) for v in self.versions]  # exact, cheap to compare
        self.name = self.versions[0].name
        # The last answer, by the very instant asked: every rule asks in turn about the same
        # order's payment (millions of calls per ingest), and to_us on an offset-aware instant
        # is the costly part. One tuple, swapped atomically, so threads can share the book.
        self._last: tuple[dt.datetime, PolicyPack] | None = None
        # Each version's (pack, config) pair per enabled rule, for ``config_at``.
        self._pairs = [{rid: (v, c) for rid, c in v.rules.items()} for v in self.versions]
        self._last_pairs: tuple[dt.datetime, dict[str, tuple[PolicyPack, Any]]] | None = None

    def config_at(self, at: dt.datetime, rule_id: str) -> tuple[PolicyPack, Any] | None:
        """The version in force at ``at`` and its config for the rule; None when no version was
        in force or that version does not enable the rule. Rules ask this for every event of
        an order, about the same instant: the answer is kept by the very instant asked."""
        last = self._last_pairs
        if last is None or last[0] is not at:
            i = self._index_at(at)
            if i < 0:
                return None
            pairs = self._pairs[i]
            last = self._last_pairs = (at, pairs)
        return last[1].get(rule_id)

    def _index_at(self, at: dt.datetime) -> int:
        """Index of the version in force at ``at``; -1 before the first."""
        if at.tzinfo is None:
            raise ValueError("in_force needs a timezone-aware instant")
        return bisect.bisect_right(self._starts, to_us(at)) - 1

    def in_force_or_first(self, at: dt.datetime) -> PolicyPack:
        """The version in force at ``at``, or the earliest for facts from before the pack
        existed (historic imports): what a projection of old facts judges them by."""
        try:
            return self.in_force(at)
        except NoPolicyInForce:
            return self.versions[0]

    def in_force(self, at: dt.datetime) -> PolicyPack:
        last = self._last
        if last is not None and last[0] is at:
            return last[1]
        i = self._index_at(at)
        if i < 0:
            first = self.versions[0]
            raise NoPolicyInForce(
                f"pack {self.name!r} has no version in force at {at.isoformat()} "
                f"(first: {first.version}, effective {first.effective_from.isoformat()})"
            )
        self._last = (at, self.versions[i])
        return self.versions[i]

    def version(self, version: str) -> PolicyPack:
        for v in self.versions:
            if v.version == version:
                return v
        raise NoPolicyInForce(f"pack {self.name!r} has no version {version!r}")

    @property
    def latest(self) -> PolicyPack:
        return self.versions[-1]


def _builtin_dir(name: str) -> Path | None:
    root = resources.files(BUILTIN_PACKS) / name
    path = Path(str(root))
    return path if path.is_dir() else None


def builtin_packs() -> list[str]:
    root = Path(str(resources.files(BUILTIN_PACKS)))
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.yaml")))


def load_book(name_or_path: str | Path, schemas: RuleSchemas) -> PolicyBook:
    """Load a pack by built-in name (``douyin``) or from a directory or a single YAML file,
    validating each ``rules.<id>`` section against ``schemas`` (see ``anxin.application``)."""
    path = Path(name_or_path)
    if not path.exists():
        builtin = _builtin_dir(str(name_or_path))
        if builtin is None:
            known = ", ".join(builtin_packs())
            raise PolicyError(
                str(name_or_path), "(pack)", f"no such pack or path (built-in: {known})"
            )
        path = builtin
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise PolicyError(str(path), "(pack)", "directory holds no *.yaml version files")
    return PolicyBook([load_pack_file(f, schemas) for f in files])
