"""Parsing shared by every command's options."""

from __future__ import annotations

import datetime as dt

import click


def parse_instant(value: str | None) -> dt.datetime | None:
    """An ISO 8601 instant with its UTC offset (a naive time is refused, never guessed)."""
    if value is None:
        return None
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 instant") from None
    if at.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no UTC offset (e.g. 2026-11-24T12:00:00+08:00)")
    return at
