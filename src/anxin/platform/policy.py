"""A policy pack as readable rules (every number with its path) and the difference between two
packs or two versions of one (``douyin@2025-09-29`` against ``douyin@2026-08-10``).

Flattening and diffing are pure; the console loads the built-in packs by ``name@version``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Rule:
    section: str  # calendar, or a rule id
    path: str  # dotted below the section, [i] for list items
    value: str  # as YAML writes it


@dataclass(frozen=True)
class Change:
    section: str
    path: str
    kind: Literal["changed", "added", "removed"]
    a: str | None
    b: str | None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _leaves(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, Mapping):
        out: list[tuple[str, str]] = []
        for k, v in value.items():
            out += _leaves(v, f"{path}.{k}" if path else str(k))
        return out or [(path, "{}")]
    if isinstance(value, list) and any(isinstance(x, Mapping | list) for x in value):
        out = []
        for i, v in enumerate(value):
            out += _leaves(v, f"{path}[{i}]")
        return out
    if isinstance(value, list):
        return [(path, "[" + ", ".join(_text(x) for x in value) + "]")]
    return [(path, _text(value))]


def rules_of(document: Mapping[str, Any]) -> list[Rule]:
    """Every number and setting of a pack document: its calendar, then each rule section."""
    out = [Rule("calendar", p, v) for p, v in _leaves(document.get("calendar", {}), "")]
    for section, body in (document.get("rules") or {}).items():
        out += [Rule(str(section), p, v) for p, v in _leaves(body, "")]
    return out


def diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Change]:
    """What ``b`` changes in ``a``: values changed, paths added and removed, in ``b``'s order
    (removed ones after)."""
    left = {(r.section, r.path): r.value for r in rules_of(a)}
    right = {(r.section, r.path): r.value for r in rules_of(b)}
    out: list[Change] = []
    for key, value in right.items():
        if key not in left:
            out.append(Change(*key, "added", None, value))
        elif left[key] != value:
            out.append(Change(*key, "changed", left[key], value))
    out += [Change(*key, "removed", value, None) for key, value in left.items() if key not in right]
    return out
