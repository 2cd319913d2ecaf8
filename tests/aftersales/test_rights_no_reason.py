"""7-day no-reason return: 168 h from 00:00 (pack zone) the day after signature, exclusions."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.aftersales.rights_world import CST, DAY, HOUR, SECOND, World

# One order per douyin version: paid under 2025-09-29, and under 2026-08-10.
VERSIONS = [
    pytest.param(dt.datetime(2026, 3, 2, 10, 0, tzinfo=CST), id="douyin-2025-09-29"),
    pytest.param(dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST), id="douyin-2026-08-10"),
]


def midnight_after(t: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(t.astimezone(CST).date() + DAY, dt.time(), tzinfo=CST)


@pytest.mark.parametrize("paid", VERSIONS)
@pytest.mark.parametrize(
    ("signed_offset", "opens_offset"),
    [
        pytest.param(dt.timedelta(hours=13, minutes=59, seconds=59), 1, id="signed-23:59:59"),
        pytest.param(dt.timedelta(hours=14), 2, id="signed-00:00:00-next-day"),
    ],
)
@pytest.mark.parametrize(
    ("late", "closed"),
    [pytest.param(dt.timedelta(0), False, id="exactly-at-deadline"),
     pytest.param(SECOND, True, id="one-second-after")],
)  # fmt: skip
def test_window_boundaries(
    paid: dt.datetime,
    signed_offset: dt.timedelta,
    opens_offset: int,
    late: dt.timedelta,
    closed: bool,
) -> None:
    w = World()
    signed = paid + 2 * DAY + signed_offset
    opens = dt.datetime.combine(paid.date() + (2 + opens_offset) * DAY, dt.time(), tzinfo=CST)
    assert opens == midnight_after(signed)
    deadline = opens + 168 * HOUR - SECOND  # 23:59:59 of the seventh day
    w.feed(*w.order(paid), w.ship(paid + HOUR), w.sign(signed))
    right = w.right("no_reason_return", deadline + late)
    assert (right.node, right.due_at) == ("after_sales", deadline)
    assert right.status == ("expired" if closed else "in_force")
    w.feed(w.request(deadline + late))
    found = w.decisions("no_reason_return")
    assert [d.kind for d in found] == (["no_reason_window_closed"] if closed else [])
    if closed:
        assert found[0].outcome["why"]["en"].startswith("The no-reason return window closed")
        assert found[0].explanation.pack == "douyin"
    after = w.right("no_reason_return", deadline + DAY)
    assert after.status == ("expired" if closed else "kept")


def test_pending_until_signed_and_other_reasons_ignored() -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    w.feed(*w.order(paid), w.ship(paid + HOUR))
    right = w.right("no_reason_return", paid + DAY)
    assert (right.status, right.due_at) == ("pending", None)
    assert "00:00 the day after you sign" in right.explanation.en
    w.feed(w.request(paid + 30 * DAY, reason="quality"))
    assert w.decisions("no_reason_return") == []


@pytest.mark.parametrize(
    ("category", "status"),
    [pytest.param("生鲜", "expired", id="fresh-food-excluded"),
     pytest.param("virtual", "expired", id="virtual-excluded"),
     pytest.param("女装", "in_force", id="apparel-covered")],
)  # fmt: skip
def test_category_exclusions(category: str, status: str) -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    w.feed(*w.order(paid, lines=[("s1", 10_000, 1, category)]), w.ship(paid + HOUR))
    w.feed(w.sign(paid + 2 * DAY))
    right = w.right("no_reason_return", paid + 3 * DAY)
    assert right.status == status
    if status == "expired":
        assert right.explanation.en.startswith(f"Excluded: items in {category}")
    w.feed(w.request(paid + 3 * DAY))
    kinds = [d.kind for d in w.decisions("no_reason_return")]
    assert kinds == (["no_reason_excluded"] if status == "expired" else [])


def test_partly_excluded_order_names_the_exclusion() -> None:
    w, paid = World(), dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    lines = [("a", 5_000, 1, "女装"), ("b", 5_000, 1, "生鲜")]
    w.feed(*w.order(paid, lines=lines), w.ship(paid + HOUR), w.sign(paid + 2 * DAY))
    right = w.right("no_reason_return", paid + 3 * DAY)
    assert right.status == "in_force"
    assert right.explanation.en.endswith("Items in 生鲜 are excluded.")
    w.feed(w.request(paid + 3 * DAY, skus=["a"]))
    assert w.decisions("no_reason_return") == []  # the covered item: the flow decides


@pytest.mark.parametrize("pack", ["tmall", "amazon"])
def test_not_offered_where_the_reference_is_silent(pack: str) -> None:
    w = World(pack)
    paid = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
    w.feed(*w.order(paid), w.ship(paid + HOUR), w.sign(paid + 2 * DAY))
    assert w.rights("no_reason_return", paid + 3 * DAY) == []
