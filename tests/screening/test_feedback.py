"""Post-sale feedback: rates smoothed toward the category's mean, the pack's lines at their
boundaries, too few orders to judge, and the run sending each action once (SQLite and
PostgreSQL, on a simulated world)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from anxin.application import load_policy
from anxin.engine.processor import Engine
from anxin.policy.pack import PolicyBook
from anxin.screening.feedback import FeedbackConfig, Outcomes, judge, smoothed
from anxin.screening.feedback_run import run
from anxin.sim import preset
from anxin.sim.run import simulate
from anxin.store import schema as t

C: FeedbackConfig = load_policy("douyin").latest.rule("screening_feedback")


def test_smoothing_pulls_few_orders_toward_the_mean() -> None:
    assert smoothed(1, 2, 0.05, 20) == pytest.approx((1 + 20 * 0.05) / 22)  # 9.1 %, not 50 %
    assert smoothed(0, 0, 0.05, 20) == pytest.approx(0.05)
    assert smoothed(50, 100, 0.05, 0) == 0.5


def _world(bad: int, orders: int = 100, reviews: int = 100) -> dict[str, Outcomes]:
    """One listing under test among 20 ordinary ones (5 % bad reviews each)."""
    out = {f"L{i}": Outcomes(f"L{i}", "M1", "服饰", 100, 1, 5, 100) for i in range(20)}
    out["X"] = Outcomes("X", "M2", "服饰", orders, 0, bad, reviews)
    return out


def _action(found: dict[str, Outcomes]) -> str | None:
    got = {j.listing_id: j for j in judge(found, C)}
    return got["X"].action if "X" in got else None


@pytest.mark.parametrize(
    ("bad", "action"),
    [
        (5, None),  # the category's own rate
        (10, None),  # 10 bad of 100: smoothed 9.2 %, under the warning's 10 %
        (12, "warning"),
        (25, "derank"),
        (37, "delist"),
    ],
)
def test_the_lines(bad: int, action: str | None) -> None:
    assert _action(_world(bad)) == action


def test_too_few_orders_is_no_action_however_bad() -> None:
    assert _action(_world(bad=9, orders=9, reviews=9)) is None  # the pack needs 10 orders
    assert _action(_world(bad=10, orders=10, reviews=10)) is not None


def test_an_action_explains_itself() -> None:
    (j,) = [x for x in judge(_world(37), C) if x.listing_id == "X"]
    assert j.measure == "bad_review_share"
    assert "37/100" in j.explanation.zh
    assert "37 of 100" in j.explanation.en


def test_the_run_sends_each_action_once(
    engine: Engine, sql_engine: sa.Engine, book: PolicyBook
) -> None:
    events, truth = io.BytesIO(), io.BytesIO()
    simulate(preset("tiny", seed=4, days=14), events, truth)
    engine.ingest(list(enumerate(events.getvalue().splitlines())), "sim")
    now = dt.datetime(2026, 10, 22, tzinfo=dt.UTC)  # the window: the simulated fortnight
    first = run(sql_engine, book, now)
    again = run(sql_engine, book, now)
    assert first  # the tiny world has listings consumers rejected
    assert [j.listing_id for j in first] == [j.listing_id for j in again]
    o = t.outbox.c
    with sql_engine.connect() as conn:
        sent = conn.execute(sa.select(o.message_id).where(
            o.topic == "listing.feedback_action")).scalars().all()  # fmt: skip
    assert sorted(sent) == sorted(f"feedback:{j.listing_id}:{j.action}" for j in first)


def test_creator_scores_smooth_toward_all_content() -> None:
    from anxin.screening.feedback import creator_scores

    got = {x.creator_id: x for x in creator_scores({"A": (2, 100, 10), "B": (1, 0, 0)}, 20)}
    assert got["A"].smoothed == pytest.approx(0.1)  # the mean is its own 10 %
    assert got["A"].score == 90.0
    assert got["B"].score == 90.0  # no orders: the mean


def test_content_driven_orders_reach_their_creator(
    engine: Engine, sql_engine: sa.Engine, book: PolicyBook
) -> None:
    from anxin.screening.feedback_run import creators

    events, truth = io.BytesIO(), io.BytesIO()
    simulate(preset("tiny", seed=4, days=14), events, truth)
    lines = events.getvalue().splitlines()
    engine.ingest(list(enumerate(lines)), "sim")
    got = creators(sql_engine, book, dt.datetime(2026, 10, 22, tzinfo=dt.UTC))
    assert got
    assert all(0 <= x.score <= 100 for x in got)
    with_content = sum(b'"content_id":' in x and b'"order.placed"' in x for x in lines)
    assert 0 < sum(x.orders for x in got) <= with_content
