"""The screening run (edge): every listing the stream submitted or updated, as of ``now``,
screened by the pack's rules (and a model when given). A verdict that asks the merchant to act
(intercept, needs changes) leaves once per version of the listing as ``listing.verdict``; a
listing that needs changes also waits in the human review queue, whose decisions become the
listing's verdict and a label for the next training run (``anxin screen review``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.clock import to_us
from anxin.contract import events as ev
from anxin.domain.effects import OutboxMessage
from anxin.policy.pack import PolicyBook
from anxin.screening.listing import Listing
from anxin.screening.screen import Screened, screen_all
from anxin.store import schema as t
from anxin.store.pages import pages
from anxin.store.rows import insert_new, upsert
from anxin.store.sql import SqlStore

TOPIC = "listing.verdict"
_LISTING = msgspec.json.Decoder(ev.ListingSubmitted | ev.ListingUpdated)


@dataclass
class RunReport:
    listings: int = 0
    screened: int = 0  # new or changed since the last run
    intercepted: int = 0
    needs_changes: int = 0
    queued: int = 0


def fingerprint(x: Listing) -> str:
    """What a verdict was given on: a changed title, price or attribute is a new version."""
    raw = msgspec.json.encode([x.title, x.description, x.category, x.price, x.attributes])
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def stored(sql: sa.Engine, now: dt.datetime) -> list[Listing]:
    """Each listing's latest version in the log as of ``now``."""
    latest: dict[str, Listing] = {}
    e = t.events.c
    where = e.type.in_(("listing.submitted", "listing.updated"))
    with sql.connect() as conn:
        for part in pages(conn, e.seq, e.body, where):
            for body in part:
                event = _LISTING.decode(body)
                if event.occurred_at > now:
                    continue
                p = event.payload
                latest[p.listing_id] = Listing(
                    listing_id=p.listing_id, title=p.title, category=p.category,
                    price=p.price.amount if p.price else None, attributes=dict(p.attributes),
                    merchant_id=p.merchant_id,
                )  # fmt: skip
    return list(latest.values())


def _hits(s: Screened) -> str:
    return json.dumps(s.to_dict()["hits"], ensure_ascii=False)


def run(sql: sa.Engine, book: PolicyBook, now: dt.datetime) -> RunReport:
    pack = book.in_force_or_first(now)
    listings = stored(sql, now)
    prints = {x.listing_id: fingerprint(x) for x in listings}
    v = t.listing_verdicts.c
    with sql.connect() as conn:
        known = dict(conn.execute(sa.select(v.listing_id, v.fingerprint)).all())
    report = RunReport(listings=len(listings))
    changed = [x for x in listings if known.get(x.listing_id) != prints[x.listing_id]]
    # The price rule judges against every listing's category median, changed or not.
    verdicts = {s.listing_id: s for s in screen_all(listings, pack)}
    rows: list[dict[str, Any]] = []
    queue: list[dict[str, Any]] = []
    messages: list[OutboxMessage] = []
    at = to_us(now)
    for x in changed:
        s, fp = verdicts[x.listing_id], prints[x.listing_id]
        mid = x.merchant_id or ""
        rows.append({"listing_id": x.listing_id, "merchant_id": mid, "fingerprint": fp,
                     "verdict": s.verdict, "hits": _hits(s), "decided_by": "rules",
                     "pack": pack.name, "pack_version": pack.version,
                     "screened_at_us": at})  # fmt: skip
        report.screened += 1
        if s.verdict == "pass":
            continue
        report.intercepted += s.verdict == "intercept"
        report.needs_changes += s.verdict == "needs_changes"
        messages.append(verdict_message(x.listing_id, mid, fp, s.to_dict(), "rules", now))
        if s.verdict == "needs_changes":
            report.queued += 1
            queue.append({"review_id": f"{x.listing_id}:{fp}", "listing_id": x.listing_id,
                          "merchant_id": mid, "title": x.title, "category": x.category,
                          "suggested": s.verdict, "hits": _hits(s), "status": "open",
                          "decision": None, "reason": None, "reviewer": None,
                          "created_at_us": at, "decided_at_us": None})  # fmt: skip
    with sql.begin() as conn:
        upsert(conn, t.listing_verdicts, rows)
        insert_new(conn, t.screening_reviews, queue)
    with SqlStore(sql).transaction() as tx:
        tx.add_outbox(messages)
    return report


def verdict_message(listing_id: str, merchant_id: str, fp: str, screened: dict[str, Any],
                    decided_by: str, now: dt.datetime) -> OutboxMessage:  # fmt: skip
    body = {**screened, "merchant_id": merchant_id, "fingerprint": fp, "decided_by": decided_by}
    suffix = "" if decided_by == "rules" else f":{decided_by}"
    return OutboxMessage(f"verdict:{listing_id}:{fp}{suffix}", TOPIC,
                         f"merchant:{merchant_id}", now, body)  # fmt: skip
