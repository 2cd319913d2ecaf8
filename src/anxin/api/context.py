"""What every capability's routes read from the running app: the pack's zone, the engine's
clock, and one page of a list fetched one row long (whether there is a next page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Query, Request

T = TypeVar("T")
MAX_OFFSET = 1_000_000  # deeper than any queue a person pages through; bounds the SQL OFFSET
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]


def zone(request: Request) -> dt.tzinfo:
    """The latest pack's zone: instants in answers are written in it."""
    found: dt.tzinfo = request.app.state.engine.book.latest.calendar.zone
    return found


def now(request: Request) -> dt.datetime:
    found: dt.datetime = request.app.state.engine.clock.now()
    return found


def page(rows: Sequence[T], limit: int, offset: int) -> tuple[list[T], int | None]:
    """``rows`` fetched with ``limit + 1``: the page, and the next page's offset (None: last)."""
    return list(rows[:limit]), (offset + limit if len(rows) > limit else None)
