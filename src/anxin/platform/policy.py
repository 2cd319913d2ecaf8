"""A policy pack as readable rules (every number with its path) and the difference between two
packs or two versions of one (``douyin@2025-09-29`` against ``douyin@2026-08-10``).

Flattening and diffing are pure; :func:`pack_of` loads a built-in pack by ``name@version``
through the application's validating loader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from anxin.policy.pack import NoPolicyInForce, PolicyBook, PolicyError, PolicyPack, builtin_packs


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


@cache
def _book(name: str) -> PolicyBook:
    from anxin.application import load_policy  # the root knows every rule's schema

    return load_policy(name)


def choices() -> list[str]:
    """Every built-in pack version as ``name@version``."""
    return [f"{n}@{v.version}" for n in builtin_packs() for v in _book(n).versions]


def pack_of(spec: str) -> PolicyPack | None:
    """``name@version`` (or ``name``: its latest version) of a built-in pack; None if unknown."""
    name, _, version = spec.partition("@")
    if name not in builtin_packs():
        return None
    try:
        book = _book(name)
        return book.version(version) if version else book.latest
    except (NoPolicyInForce, PolicyError):
        return None
