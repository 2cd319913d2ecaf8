"""The project's Hypothesis profile (tests/conftest.py) is in force for every property test."""

from __future__ import annotations

from hypothesis import settings


def test_property_tests_have_no_deadline() -> None:
    # Their work (calendars, ledgers, engines) takes what the machine's load makes it take.
    assert settings.default.deadline is None
    assert settings(max_examples=5).deadline is None  # explicit settings inherit it
