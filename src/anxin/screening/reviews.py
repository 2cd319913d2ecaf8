"""The human review queue (issue 15): listings the rules say need changes wait for a
reviewer; a decision becomes the listing's verdict (sent again when it differs) and a label
for the next training run, in the labelled set's own CSV shape."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any, Literal

import sqlalchemy as sa

from anxin.clock import from_us, to_us
from anxin.screening.run import verdict_message
from anxin.store import schema as t
from anxin.store.sql import SqlStore

Decision = Literal["pass", "needs_changes", "intercept"]


class ReviewNotFound(LookupError):
    pass


class AlreadyDecided(ValueError):
    pass


def queue(sql: sa.Engine, status: str = "open", limit: int = 100, offset: int = 0
          ) -> list[dict[str, Any]]:  # fmt: skip
    """The queue, oldest first."""
    r = t.screening_reviews.c
    with sql.connect() as conn:
        query = (sa.select(t.screening_reviews).where(r.status == status)
                 .order_by(r.created_at_us, r.review_id).limit(limit).offset(offset))  # fmt: skip
        rows = conn.execute(query)
        return [_view(dict(x._mapping)) for x in rows]


def _view(row: dict[str, Any]) -> dict[str, Any]:
    row["hits"] = json.loads(row["hits"])
    row["created_at"] = from_us(row.pop("created_at_us")).isoformat()
    decided = row.pop("decided_at_us")
    row["decided_at"] = None if decided is None else from_us(decided).isoformat()
    return row


def decide(sql: sa.Engine, review_id: str, decision: Decision, reason: str, reviewer: str,
           now: dt.datetime) -> dict[str, Any]:  # fmt: skip
    """Record the reviewer's decision; when it differs from the rules', the listing's verdict
    becomes the reviewer's and leaves again as ``listing.verdict``."""
    r, v = t.screening_reviews.c, t.listing_verdicts.c
    with sql.begin() as conn:
        row = conn.execute(sa.select(t.screening_reviews).where(r.review_id == review_id)).first()
        if row is None:
            raise ReviewNotFound(review_id)
        if row.status == "decided":
            raise AlreadyDecided(review_id)
        conn.execute(sa.update(t.screening_reviews).where(r.review_id == review_id).values(
            status="decided", decision=decision, reason=reason, reviewer=reviewer,
            decided_at_us=to_us(now)))  # fmt: skip
        fp = review_id.rsplit(":", 1)[1]
        changed = decision != row.suggested
        if changed:
            conn.execute(sa.update(t.listing_verdicts).where(
                v.listing_id == row.listing_id, v.fingerprint == fp).values(
                verdict=decision, decided_by="reviewer"))  # fmt: skip
    if changed:
        body = {"listing_id": row.listing_id, "verdict": decision, "hits": json.loads(row.hits),
                "reason": reason, "reviewer": reviewer}  # fmt: skip
        with SqlStore(sql).transaction() as tx:
            tx.add_outbox([verdict_message(row.listing_id, row.merchant_id, fp, body,
                                           "reviewer", now)])  # fmt: skip
    return {"review_id": review_id, "listing_id": row.listing_id, "decision": decision,
            "changed": changed}  # fmt: skip


def labels_csv(sql: sa.Engine) -> str:
    """Every decided review as a labelled row (``anxin screen train`` reads this shape)."""
    r = t.screening_reviews.c
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "label", "reason", "category", "title"])
    with sql.connect() as conn:
        for x in conn.execute(sa.select(t.screening_reviews).where(r.status == "decided")
                              .order_by(r.decided_at_us, r.review_id)):  # fmt: skip
            w.writerow([f"review:{x.review_id}", x.decision, _reason(x.hits, x.decision),
                        x.category, x.title])  # fmt: skip
    return out.getvalue()


def _reason(hits: str, decision: str) -> str:
    if decision == "pass":
        return "clean"
    found = json.loads(hits)
    return str(found[0]["rule_id"]).removeprefix("screening.") if found else "reviewer"
