"""Amazon A-to-z: a claim once not arrived 3 days after the maximum EDD, until 90 days after."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.contract import events as ev
from tests.aftersales.rights_world import DAY, HOUR, SECOND, World

PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC)
EDD_EARLY = PAID + 4 * DAY
EDD = PAID + 6 * DAY  # the maximum estimated delivery date binds
OPENS, CLOSES = EDD + 72 * HOUR, EDD + 90 * DAY


def world(delivered: dt.datetime | None = None) -> World:
    w = World("amazon")
    promises = [ev.Promise(kind="deliver", source="listing", by=EDD_EARLY),
                ev.Promise(kind="deliver", source="platform", by=EDD)]  # fmt: skip
    w.feed(*w.order(PAID, promises=promises), w.ship(PAID + HOUR))
    if delivered is not None:
        w.feed(w.sign(delivered))
    return w


@pytest.mark.parametrize(
    ("now", "status", "says"),
    [
        pytest.param(OPENS - SECOND, "in_force", "you may claim.", id="before-it-opens"),
        pytest.param(OPENS, "in_force", "You may claim now", id="opens-at-edd+72h"),
        pytest.param(CLOSES, "in_force", "You may claim now", id="exactly-at-day-90"),
        pytest.param(CLOSES + SECOND, "expired", "closed", id="one-second-after"),
    ],
)
def test_claim_window(now: dt.datetime, status: str, says: str) -> None:
    right = world().right("a_to_z", now)
    assert (right.node, right.status, right.due_at) == ("after_sales", status, CLOSES)
    assert right.facts["claim_opens_at"] == OPENS
    assert says in right.explanation.en


@pytest.mark.parametrize(
    ("delivered", "status"),
    [pytest.param(OPENS, "kept", id="delivered-exactly-at-edd+72h"),
     pytest.param(OPENS + SECOND, "in_force", id="delivered-one-second-later")],
)  # fmt: skip
def test_delivery_keeps_it(delivered: dt.datetime, status: str) -> None:
    assert world(delivered).right("a_to_z", OPENS + DAY).status == status


@pytest.mark.parametrize("pack", ["douyin", "tmall"])
def test_amazon_only(pack: str) -> None:
    w = World(pack)
    w.feed(*w.order(PAID, promises=[ev.Promise(kind="deliver", source="listing", by=EDD)]))
    assert w.rights("a_to_z", PAID + HOUR) == []
