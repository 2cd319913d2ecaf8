"""``--as-of``: a date is the start of that day in the pack's zone; an instant needs its offset."""

from __future__ import annotations

import datetime as dt

import click
import pytest

from anxin.application import load_policy
from anxin.score.cli import parse_as_of

PACK = load_policy("douyin").latest


def test_a_date_is_midnight_in_the_packs_zone() -> None:
    at = parse_as_of("2026-10-07", PACK)
    assert at == dt.datetime(2026, 10, 6, 16, 0, tzinfo=dt.UTC)  # 00:00 in Asia/Shanghai
    assert at.utcoffset() == dt.timedelta(hours=8)


def test_an_instant_keeps_its_offset() -> None:
    at = parse_as_of("2026-10-07T09:30:00+02:00", PACK)
    assert at == dt.datetime(2026, 10, 7, 7, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2026-10-07T09:30:00", "has no UTC offset"),
        ("2026-13-07", "is not an ISO 8601 date"),
        ("yesterday", "is not an ISO 8601 instant"),
    ],
)
def test_bad_values_are_refused_with_the_reason(value: str, why: str) -> None:
    with pytest.raises(click.BadParameter, match=why):
        parse_as_of(value, PACK)
