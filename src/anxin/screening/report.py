"""The demo's screening report: the simulated catalogue screened by the pack's rules, the
verdicts beside what the simulator planted (read from its truth file, apart from the
screening), and the post-sale feedback actions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import msgspec
import sqlalchemy as sa
from rich.table import Table

from anxin.contract import events as ev
from anxin.policy.pack import PolicyBook
from anxin.screening.feedback import Judged
from anxin.screening.run import stored
from anxin.screening.screen import Screened, screen_all

_LISTING = msgspec.json.Decoder(ev.ListingSubmitted)


def screened(sql: sa.Engine, book: PolicyBook, now: dt.datetime) -> list[Screened]:
    return screen_all(stored(sql, now), book.in_force_or_first(now))


def planted(truth: Path) -> dict[str, str]:
    """listing id → what the simulator planted ("" for a clean listing)."""
    out: dict[str, str] = {}
    with truth.open("rb") as f:
        for line in f:
            if b'"kind":"listing"' in line:
                d = msgspec.json.decode(line)
                out[d["listing_id"]] = d.get("why", "")
    return out


def screening_report(found: list[Screened], truth: dict[str, str], actions: list[Judged]) -> Table:
    table = Table(title="Listing screening (the pack's rules) vs what the simulator planted; "
                  "post-sale feedback", title_justify="left")  # fmt: skip
    for i, col in enumerate(("planted", "listings", "intercept", "needs changes", "pass")):
        table.add_column(col, justify="right" if i else "left")
    by: dict[str, Counter[str]] = {}
    for s in found:
        by.setdefault(truth.get(s.listing_id, "") or "clean", Counter())[s.verdict] += 1
    for kind in ("prohibited", "inferior", "misleading", "clean"):
        c = by.get(kind, Counter())
        table.add_row(kind, f"{sum(c.values()):,}", f"{c['intercept']:,}",
                      f"{c['needs_changes']:,}", f"{c['pass']:,}")  # fmt: skip
    acted = Counter(j.action for j in actions)
    table.caption = (f"feedback on the month's orders: {acted['delist']} delisted, "
                     f"{acted['derank']} de-ranked, {acted['warning']} warned "
                     "(listing.feedback_action)")  # fmt: skip
    return table
