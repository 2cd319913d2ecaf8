"""The post-sale feedback run (edge): the stored orders paid in the pack's window, their
listings' quality returns and 1–2★ reviews, judged by ``feedback.judge``; each action leaves
once as ``listing.feedback_action`` for the merchant (the id names the listing and action)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from anxin.domain.effects import OutboxMessage
from anxin.domain.order import decode_state
from anxin.policy.pack import PolicyBook
from anxin.screening.feedback import RULE_ID, FeedbackConfig, Judged, Outcomes, judge
from anxin.store import schema as t
from anxin.store.pages import pages
from anxin.store.sql import SqlStore

TOPIC = "listing.feedback_action"


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


def run(sql: sa.Engine, book: PolicyBook, now: dt.datetime) -> list[Judged]:
    """Judge and send each listing's action once (whatever the number of runs)."""
    pack = book.in_force(now)
    c = pack.rule(RULE_ID)
    if not isinstance(c, FeedbackConfig):
        raise LookupError(f"pack {pack.name} {pack.version} has no rules.{RULE_ID}")
    found = judge(outcomes(sql, c, now), c)
    messages = [_message(j, pack.name, pack.version, now) for j in found]
    with SqlStore(sql).transaction() as tx:
        tx.add_outbox(messages)
    return found


def _message(j: Judged, pack: str, version: str, now: dt.datetime) -> OutboxMessage:
    body = {"listing_id": j.listing_id, "merchant_id": j.merchant_id, "category": j.category,
            "action": j.action, "measure": j.measure, "rate": round(j.rate, 4),
            "smoothed": round(j.smoothed, 4), "category_mean": round(j.category_mean, 4),
            "orders": j.orders, "explanation": {"zh": j.explanation.zh, "en": j.explanation.en},
            "rule_id": f"{RULE_ID}.{j.action}", "pack": pack, "version": version}  # fmt: skip
    key = f"merchant:{j.merchant_id}"
    return OutboxMessage(f"feedback:{j.listing_id}:{j.action}", TOPIC, key, now, body)
