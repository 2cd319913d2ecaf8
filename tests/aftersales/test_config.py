"""The pack section ``rules.aftersales``: every built-in pack carries it, and a section the
machine could not honour is refused with the file, key and reason."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from anxin.application import load_policy, rule_schemas
from anxin.policy.pack import PolicyError, builtin_packs, parse_pack


def test_every_built_in_pack_version_has_the_section() -> None:
    for name in builtin_packs():
        for version in load_policy(name).versions:
            assert version.rule("aftersales") is not None, (name, version.version)


def _douyin_document() -> dict[str, Any]:
    return copy.deepcopy(dict(load_policy("douyin").latest.document))


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda s: s["merchant_response"].update(working_days=2), "exactly one of hours"),
        (lambda s: s["escalation_window"].pop("hours"), "exactly one of hours"),
        (lambda s: s["merchant_response"].pop("on_timeout"), "on_timeout"),
        (lambda s: s.update(flows=[]), "at least one"),
        (lambda s: s.update(flows=["exchange", "exchange"]), "at most once"),
        (
            lambda s: s.update(
                flows=["return_refund"],
                return_confirmation={"hours": 240, "on_timeout": "escalate"},
            ),
            "needs the arbitration flow",
        ),
        (lambda s: s["consumer_ships_return"].update(hours=0), "hours"),
        (
            lambda s: s.update(
                night_window={
                    "start": "23:00",
                    "end": "08:00",
                    "resume_at": "23:30",
                    "applies_to": ["merchant_response"],
                }
            ),
            "resume_at must lie outside",
        ),
        (
            lambda s: s.update(
                night_window={
                    "start": "late",
                    "end": "08:00",
                    "resume_at": "08:00",
                    "applies_to": ["merchant_response"],
                }
            ),
            "not a time of day",
        ),
    ],
)
def test_a_broken_section_is_refused(edit: Any, why: str) -> None:
    document = _douyin_document()
    edit(document["rules"]["aftersales"])
    with pytest.raises(PolicyError) as raised:
        parse_pack(document, "douyin.yaml", rule_schemas())
    assert "rules.aftersales" in str(raised.value)
    assert why in str(raised.value)
