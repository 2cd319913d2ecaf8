"""The post-sale feedback run (edge): the stored orders paid in the pack's window, their
listings' quality returns and 1–2★ reviews, judged by ``feedback.judge``; each action is
recorded as an appealable violation (``feedback_record``) and leaves once as
``listing.feedback_action`` for the merchant (the id names the listing and action)."""

from __future__ import annotations

import datetime as dt

import msgspec
import sqlalchemy as sa

from anxin.contract import events as ev
from anxin.domain.effects import OutboxMessage
from anxin.domain.order import OrderState, decode_state
from anxin.policy.pack import PolicyBook
from anxin.screening.feedback import (
    RULE_ID,
    CreatorScore,
    FeedbackConfig,
    Judged,
    Outcomes,
    ShopFeedback,
    creator_scores,
    judge,
    shop_feedback,
)
from anxin.screening.feedback_record import Recorded, record
from anxin.store import schema as t
from anxin.store.kept import Kept, last_event
from anxin.store.pages import pages
from anxin.store.sql import SqlStore

TOPIC = "listing.feedback_action"
_CONTENT = msgspec.json.Decoder(ev.ContentPublished)


def outcomes(sql: sa.Engine, c: FeedbackConfig, now: dt.datetime) -> dict[str, Outcomes]:
    end = now - dt.timedelta(days=c.settle_days)
    start = end - dt.timedelta(days=c.window_days)
    out: dict[str, Outcomes] = {}
    s = t.order_state.c
    with sql.connect() as conn:
        for part in pages(conn, s.order_id, s.state):
            for raw in part:
                state = decode_state(raw)
                if state.paid_at is None or not start <= state.paid_at < end:
                    continue
                quality = any(a.reason in c.quality_reasons and a.requested_at <= now
                              for a in state.aftersales)  # fmt: skip
                reviewed = state.review_stars is not None and (
                    state.reviewed_at is None or state.reviewed_at <= now)  # fmt: skip
                seen: set[str] = set()
                for item in state.items:
                    lid = item.listing_id
                    if lid is None or lid in seen:
                        continue
                    seen.add(lid)
                    o = out.get(lid)
                    if o is None:
                        o = out[lid] = Outcomes(lid, state.merchant_id or "", item.category)
                    o.orders += 1
                    o.quality_returns += quality
                    if reviewed:
                        o.reviews += 1
                        o.bad_reviews += (state.review_stars or 5) <= c.bad_review_max_stars
    return out


def _config(book: PolicyBook, now: dt.datetime) -> FeedbackConfig:
    pack = book.in_force(now)
    c = pack.rule(RULE_ID)
    if not isinstance(c, FeedbackConfig):
        raise LookupError(f"pack {pack.name} {pack.version} has no rules.{RULE_ID}")
    return c


_SHOPS: Kept[list[ShopFeedback]] = Kept(slots=8)


def shops(
    sql: sa.Engine, book: PolicyBook, now: dt.datetime, merchant_id: str | None = None
) -> list[ShopFeedback]:
    """Each merchant's (or one merchant's) feedback over the window, against its category mix,
    as of ``now``'s minute: a read model for pages and the API (every shop is read to know the
    category means), kept until the event log grows or the minute turns. The run that acts
    (``run``) reads the store as of ``now`` exactly."""
    c = _config(book, now)
    minute = now.replace(second=0, microsecond=0)
    with sql.connect() as conn:
        stamp = (last_event(conn), minute, c)
    found = _SHOPS.get(id(sql), stamp,
                       lambda: shop_feedback(outcomes(sql, c, minute), c.prior_orders))  # fmt: skip
    if merchant_id is not None:  # the category means still come from every shop's listings
        return [s for s in found if s.merchant_id == merchant_id]
    return found


def creators(sql: sa.Engine, book: PolicyBook, now: dt.datetime) -> list[CreatorScore]:
    """Every creator's content quality over the window's content-driven orders (a merchant's
    own content counts as the merchant's)."""
    c = _config(book, now)
    made_by: dict[str, str] = {}
    e = t.events.c
    with sql.connect() as conn:
        for part in pages(conn, e.seq, e.body, e.type == "content.published"):
            for body in part:
                p = _CONTENT.decode(body).payload
                made_by[p.content_id] = p.creator_id or p.merchant_id
    end = now - dt.timedelta(days=c.settle_days)
    start = end - dt.timedelta(days=c.window_days)
    counts: dict[str, list[int]] = {}
    contents: dict[str, set[str]] = {}
    s = t.order_state.c
    with sql.connect() as conn:
        for part in pages(conn, s.order_id, s.state):
            for raw in part:
                state = decode_state(raw)
                cid = state.content_id
                if cid is None or state.paid_at is None or not start <= state.paid_at < end:
                    continue
                creator = made_by.get(cid, state.merchant_id or "")
                contents.setdefault(creator, set()).add(cid)
                got = counts.setdefault(creator, [0, 0])
                got[0] += 1
                got[1] += negative(state, c, now)
    return creator_scores(
        {k: (len(contents[k]), n, bad) for k, (n, bad) in counts.items()}, c.prior_orders
    )


def negative(state: OrderState, c: FeedbackConfig, now: dt.datetime) -> bool:
    """A 1–2★ review or a quality return, known by ``now``."""
    quality = any(a.reason in c.quality_reasons and a.requested_at <= now
                  for a in state.aftersales)  # fmt: skip
    bad = state.review_stars is not None and state.review_stars <= c.bad_review_max_stars and (
        state.reviewed_at is None or state.reviewed_at <= now)  # fmt: skip
    return quality or bad


def run(sql: sa.Engine, book: PolicyBook, now: dt.datetime) -> list[Judged]:
    """Judge and send each listing's action once (whatever the number of runs)."""
    pack = book.in_force(now)
    c = _config(book, now)
    found = judge(outcomes(sql, c, now), c)
    with SqlStore(sql).transaction() as tx:
        recorded = record(tx, found, pack, c, now)
        tx.add_outbox([_message(j, recorded.get(j.listing_id), pack.name, pack.version, now)
                       for j in found])  # fmt: skip
    return found


def _message(
    j: Judged, recorded: Recorded | None, pack: str, version: str, now: dt.datetime
) -> OutboxMessage:
    body = {"listing_id": j.listing_id, "merchant_id": j.merchant_id, "category": j.category,
            "action": j.action, "measure": j.measure, "rate": round(j.rate, 4),
            "smoothed": round(j.smoothed, 4), "category_mean": round(j.category_mean, 4),
            "orders": j.orders, "explanation": {"zh": j.explanation.zh, "en": j.explanation.en},
            "rule_id": f"{RULE_ID}.{j.action}", "pack": pack, "version": version}  # fmt: skip
    if recorded is not None:  # how to contest it: enforcement's appeal flow
        body |= {"violation_id": recorded.violation_id, "measure_id": recorded.measure_id,
                 "appeal_by": recorded.appeal_by.isoformat()}  # fmt: skip
    key = f"merchant:{j.merchant_id}"
    return OutboxMessage(f"feedback:{j.listing_id}:{j.action}", TOPIC, key, now, body)
