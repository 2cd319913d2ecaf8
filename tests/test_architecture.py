"""The map in docs/architecture.md, checked: one composition root builds engines and books."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "anxin"

# Who may construct what: everything else goes through ``anxin.application``.
ONLY_IN = {
    r"\bEngine\(": {"application.py"},
    r"\bload_book\(": {"application.py", "policy/pack.py"},
}


def _sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("pattern", sorted(ONLY_IN))
def test_only_the_root_builds(pattern: str) -> None:
    allowed = ONLY_IN[pattern]
    found = {
        str(p.relative_to(SRC))
        for p in _sources()
        if re.search(pattern, p.read_text(encoding="utf-8"))
    }
    assert found <= allowed, f"{pattern} used outside the root: {sorted(found - allowed)}"


def test_capabilities_register_nothing_on_import() -> None:
    """Schemas and rules are exported values, composed by the root (decision 0008)."""
    offenders = [
        str(p.relative_to(SRC))
        for p in _sources()
        if re.search(r"\bregister_rule(_config)?\(", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_capability_is_one_package() -> None:
    """The tree reads as the product's capabilities: the guarantee rules live in guarantees/."""
    assert not (SRC / "rules").exists()
    assert (SRC / "guarantees" / "rules" / "__init__.py").exists()
    assert (SRC / "guarantees" / "hall.py").exists()
