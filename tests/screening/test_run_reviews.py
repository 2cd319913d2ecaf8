"""The screening run and the review queue on the store (SQLite and PostgreSQL): verdicts sent
once per version of a listing, a changed listing screened again, a reviewer's decision that
becomes the verdict and a label `anxin screen train` reads, the merchant's scoped view."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import create_key
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.engine.processor import Engine
from anxin.policy.pack import PolicyBook
from anxin.screening.labels import read_labelled
from anxin.screening.reviews import AlreadyDecided, ReviewNotFound, decide, labels_csv, queue
from anxin.screening.run import run
from anxin.store import schema as t
from tests.conftest import NOW

T0 = NOW - dt.timedelta(days=2)


def _listing(lid: str, title: str, category: str = "服饰", *, updated: bool = False,
             at: dt.datetime = T0) -> bytes:  # fmt: skip
    p = ev.ListingPayload(listing_id=lid, merchant_id="MA", title=title, category=category)
    cls = ev.ListingUpdated if updated else ev.ListingSubmitted
    kind = "updated" if updated else "submitted"
    return msgspec.json.encode(cls(id=f"{lid}:{kind}:{at.isoformat()}", occurred_at=at,
                                   source="t", payload=p))  # fmt: skip


def _sent(sql: sa.Engine) -> list[str]:
    o = t.outbox.c
    with sql.connect() as conn:
        return sorted(conn.execute(sa.select(o.message_id).where(
            o.topic == "listing.verdict")).scalars())  # fmt: skip


def test_verdicts_leave_once_per_version_and_reviews_become_labels(
    engine: Engine, sql_engine: sa.Engine, book: PolicyBook
) -> None:
    lines = [_listing("L1", "高仿手表", "饰品"), _listing("L2", "全网最低价 T恤"),
             _listing("L3", "纯棉T恤")]  # fmt: skip
    assert engine.ingest(list(enumerate(lines)), "t").rejected == 0
    first = run(sql_engine, book, NOW)
    assert (first.screened, first.intercepted, first.needs_changes, first.queued) == (3, 1, 1, 1)
    assert run(sql_engine, book, NOW).screened == 0  # nothing new
    assert len(_sent(sql_engine)) == 2
    # The merchant fixes L2's title: a new version, screened again, nothing to send.
    fixed = _listing("L2", "纯棉T恤 新款", updated=True, at=NOW - dt.timedelta(hours=1))
    engine.ingest([(9, fixed)], "t")
    again = run(sql_engine, book, NOW)
    assert (again.screened, again.needs_changes) == (1, 0)
    assert len(_sent(sql_engine)) == 2
    (review,) = queue(sql_engine)
    assert review["listing_id"] == "L2"
    assert review["hits"][0]["rule_id"] == "screening.absolute_claim"
    got = decide(sql_engine, review["review_id"], "pass", "a price fact, not a claim", "ops1", NOW)
    assert got["changed"]
    assert len(_sent(sql_engine)) == 3  # the reviewer's verdict leaves too
    with pytest.raises(AlreadyDecided):
        decide(sql_engine, review["review_id"], "pass", "again", "ops1", NOW)
    with pytest.raises(ReviewNotFound):
        decide(sql_engine, "nope:0", "pass", "x", "ops1", NOW)
    (label,) = read_labelled(labels_csv(sql_engine), "reviews")
    assert (label.label, label.listing.title) == ("pass", "全网最低价 T恤")
    assert queue(sql_engine) == []


def test_the_shop_sees_its_own_verdicts(
    db_url: str, engine: Engine, sql_engine: sa.Engine, book: PolicyBook
) -> None:
    engine.ingest([(0, _listing("L1", "高仿手表", "饰品"))], "t")
    run(sql_engine, book, NOW)
    clock = FixedClock(NOW)
    with TestClient(create_app(db_url, clock=clock)) as client:
        mine = {"X-API-Key": create_key(sql_engine, "a", "merchant", merchant_id="MA",
                                        clock=clock)}  # fmt: skip
        other = {"X-API-Key": create_key(sql_engine, "b", "merchant", merchant_id="MB",
                                         clock=clock)}  # fmt: skip
        got = client.get("/v1/merchants/MA/listings/verdicts", headers=mine).json()
        assert [v["verdict"] for v in got["verdicts"]] == ["intercept"]
        assert client.get("/v1/merchants/MA/listings/verdicts", headers=other).status_code == 404
        op = {"X-API-Key": create_key(sql_engine, "op", "operator", clock=clock)}
        assert client.get("/v1/screening/reviews", headers=op).json() == {"reviews": []}
