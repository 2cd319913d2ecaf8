"""Parsing and output shared by every command: one way to read a date or an instant, data paths
under ``ANXIN_DATA``, and consoles that do not cut tables when piped.

Kept light (click only; rich is imported when a console is first used): ``anxin --help``
imports this module.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EXAMPLE = "2026-11-24T12:00:00+08:00"


@dataclass(frozen=True)
class When:
    """A parsed ``--now`` / ``--at`` / ``--as-of`` / ``--day`` / ``--start`` value: an instant
    with its UTC offset, or a calendar day whose start depends on a zone the command knows
    (the policy pack's, the export's)."""

    text: str
    instant: dt.datetime | None = None
    day: dt.date | None = None

    def at(self, zone: dt.tzinfo) -> dt.datetime:
        """The instant; a day means 00:00 of that day in ``zone``."""
        if self.instant is not None:
            return self.instant
        assert self.day is not None
        return dt.datetime.combine(self.day, dt.time(0), tzinfo=zone)

    def local_day(self, zone: dt.tzinfo) -> dt.date:
        """The day; an instant means its calendar day in ``zone``."""
        if self.day is not None:
            return self.day
        assert self.instant is not None
        return self.instant.astimezone(zone).date()


def parse_when(value: str) -> When:
    """``YYYY-MM-DD`` is a day; anything else must be an ISO 8601 instant with its UTC offset
    (``Z`` or ``+08:00``): a naive time is refused, never guessed."""
    text = value.strip()
    if _DATE.fullmatch(text):
        try:
            return When(value, day=dt.date.fromisoformat(text))
        except ValueError:
            raise click.BadParameter(f"{value!r} is not an ISO 8601 date") from None
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 instant (e.g. {EXAMPLE}) or date (YYYY-MM-DD)"
        ) from None
    if at.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no UTC offset (e.g. {EXAMPLE})")
    return When(value, instant=at)


def parse_instant(value: str | None, zone: dt.tzinfo | None = None) -> dt.datetime | None:
    """An instant from ``value`` (``None`` stays ``None``); a date is 00:00 in ``zone``."""
    if value is None:
        return None
    when = parse_when(value)
    if when.instant is None and zone is None:
        raise click.BadParameter(f"{value!r} is a date; give an instant with its UTC offset")
    return when.at(zone or dt.UTC)


class WhenType(click.ParamType[When, "str | When"]):
    """Option type of every date or instant option, so all commands read them alike and refuse
    bad values before touching a store."""

    name = "DATE|INSTANT"

    def convert(
        self, value: str | When, param: click.Parameter | None, ctx: click.Context | None
    ) -> When:
        if isinstance(value, When):
            return value
        try:
            return parse_when(value)
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


WHEN = WhenType()


class DataPath(click.Path):
    """A path, or a name under ``ANXIN_DATA`` (``olist_sample_4k``): a path that exists wins."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from anxin.data import ENV, data_path, data_root

        resolved = data_path(value) if isinstance(value, str) else value
        if self.exists and isinstance(resolved, Path) and not resolved.exists():
            self.fail(
                f"{value!r} is neither a path nor a name under {ENV} ({data_root()})", param, ctx
            )
        return super().convert(str(resolved), param, ctx)


def console(*, stderr: bool = False) -> Console:
    """A rich console that keeps piped tables whole (see :mod:`anxin.cli.console`)."""
    from anxin.cli.console import PipeFriendlyConsole

    return PipeFriendlyConsole(stderr=stderr)


class LazyConsole:
    """A module-level console for a CLI module that imports no rich until it prints. Each use
    makes a fresh console, so it sees the output stream and ``COLUMNS`` of that moment (rich
    reads ``COLUMNS`` once, when a console is made)."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr

    def get(self) -> Console:
        return console(stderr=self._stderr)

    def print(self, *objects: Any, **options: Any) -> None:
        self.get().print(*objects, **options)

    def print_json(self, json: str) -> None:
        self.get().print_json(json)
