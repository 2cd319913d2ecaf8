"""Privileges honour enforcement measures: a measure of a kind the pack lists under
``privileges.withdrawn_by`` refuses the privilege on every day it is in force, the grant comes
back after, and the ``merchant.privilege_changed`` message names the measure (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from anxin.clock import to_us
from anxin.delivery.messages import PrivilegeChanged
from anxin.domain.standing import Measure
from anxin.policy.pack import PolicyBook
from anxin.score.engines import open_source
from anxin.score.formula import MerchantScore
from anxin.score.grants import run_privileges
from anxin.score.privileges import PrivilegesConfig, daily_facts, evaluate
from anxin.store import schema as t
from anxin.store.database import make_engine

ZONE = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, tzinfo=ZONE)


@pytest.fixture(scope="module")
def config(book: PolicyBook) -> PrivilegesConfig:
    found: PrivilegesConfig = book.versions[-1].rule("privileges")
    return found


GOOD = daily_facts(
    score=80.0,
    formal=True,
    dimensions={"product": 80.0, "logistics": 80.0, "service": 80.0},
    sums={"violations": 0, "aftersales": 10, "aftersales_agreed": 10,
          "shipped_orders": 100, "returned_orders": 10},
    valid_orders=100,
    large_items=False,
    yesterday=80.0,
)  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "refused"),
    [
        ("presale_off", {"presale"}),
        ("sales_restricted", {"presale", "recommendation_feed"}),
        ("ad_ban", {"ad_buying"}),
        ("suspension", {"presale", "ad_buying", "instant_refund", "freight_insurance",
                        "recommendation_feed", "official_guarantee"}),
        ("expulsion", {"presale", "ad_buying", "instant_refund", "freight_insurance",
                       "recommendation_feed", "official_guarantee"}),
        ("warning", set()),
        ("order_cap", set()),
    ],
)  # fmt: skip
def test_each_measure_kind_withdraws_what_the_pack_lists(
    kind: str, refused: set[str], config: PrivilegesConfig
) -> None:
    assert all(v.granted for v in evaluate(GOOD, config).values())  # granted without it
    m = Measure("ms-1", kind, to_us(at(10)), None)
    verdicts = evaluate(GOOD, config, [m])
    assert {p for p, v in verdicts.items() if not v.granted} == refused
    for p in refused:
        (reason,) = [r for r in verdicts[p].reasons if not r["held"]]
        assert reason["measure_id"] == "ms-1"
        assert reason["kind"] == kind
        assert reason["ends_at"] is None
        assert (reason["fact"], reason["op"], reason["value"]) == ("measure_in_force", "==", 0.0)


@pytest.mark.parametrize(
    ("starts", "ends", "day", "in_force"),
    [
        (at(10, 10), at(12, 10), 9, False),
        (at(10, 10), at(12, 10), 10, True),  # from 10:00: in force that day
        (at(10, 10), at(12, 10), 12, True),  # until 10:00: in force that day
        (at(10, 10), at(12, 10), 13, False),
        (at(10), at(13), 12, True),
        (at(10), at(13), 13, False),  # ends exactly at midnight: not on the 13th
        (at(10) - dt.timedelta(seconds=1), at(13), 9, True),  # its last second is the 9th's
        (at(10), None, 30, True),  # until lifted
    ],
)
def test_in_force_on_a_day(
    starts: dt.datetime, ends: dt.datetime | None, day: int, in_force: bool
) -> None:
    m = Measure("m", "presale_off", to_us(starts), None if ends is None else to_us(ends))
    assert m.in_force_during(to_us(at(day)), to_us(at(day) + dt.timedelta(days=1))) == in_force


@pytest.mark.parametrize(
    ("withdrawn_by", "why"),
    [
        ({"teleport": ["suspension"]}, "unknown privilege 'teleport'"),
        ({"presale": []}, "at least one measure kind"),
        ({"presale": ["suspension", "suspension"]}, "listed twice"),
        ({"presale": ["Presale Off"]}, "not a measure kind"),
    ],
)
def test_bad_withdrawn_by_is_refused(withdrawn_by: dict[str, list[str]], why: str) -> None:
    config = msgspec.convert({"window_days": 30, "withdrawn_by": withdrawn_by}, PrivilegesConfig)
    with pytest.raises(ValueError, match=why):
        config.check("CNY")


def _score(merchant: str) -> MerchantScore:
    return MerchantScore(merchant, "formal", 80.0, None, None, [], [], [], {})


def _measure_row(measure_id: str, merchant: str, kind: str, starts: dt.datetime,
                 ends: dt.datetime | None) -> dict[str, Any]:  # fmt: skip
    return {
        "measure_id": measure_id, "violation_id": f"v-{measure_id}", "merchant_id": merchant,
        "kind": kind, "starts_at_us": to_us(starts),
        "ends_at_us": None if ends is None else to_us(ends), "lift": "expiry", "amount": None,
        "currency": None, "status": "active", "lifted_at_us": None, "explanation": "{}",
    }  # fmt: skip


def test_the_daily_run_withdraws_and_restores(db_url: str, book: PolicyBook) -> None:
    pack = book.versions[-1]
    sql = make_engine(db_url)
    with sql.begin() as conn:
        conn.execute(
            t.measures.insert(),
            [
                _measure_row("ms-off", "M1", "presale_off", at(10, 10), at(12, 10)),
                _measure_row("ms-midnight", "M3", "presale_off", at(10), at(13)),
                _measure_row("ms-susp", "M2", "suspension", at(11), None),
            ],
        )
    scores = [_score(m) for m in ("M1", "M2", "M3")]
    held: dict[int, dict[tuple[str, str], bool]] = {}
    sent: dict[int, list[PrivilegeChanged]] = {}
    with open_source("sqlite" if sql.dialect.name == "sqlite" else "postgres", db=db_url) as src:
        for day in (9, 10, 11, 12, 13, 14):
            if day == 14:  # the suspension is lifted: not in force any more
                with sql.begin() as conn:
                    conn.execute(
                        sa.update(t.measures)
                        .where(t.measures.c.measure_id == "ms-susp")
                        .values(status="lifted", lifted_at_us=to_us(at(13, 12)))
                    )
            changes = run_privileges(sql, src, scores, at(day), pack, {}, {})
            again = run_privileges(sql, src, scores, at(day), pack, {}, {})
            assert again == []  # the same day again flips and sends nothing
            sent[day] = [msgspec.convert(c, PrivilegeChanged) for c in changes]
            with sql.connect() as conn:
                p = t.merchant_privileges.c
                rows = conn.execute(sa.select(p.merchant_id, p.privilege, p.granted)).all()
            held[day] = {(m, pr): bool(g) for m, pr, g in rows}
    with sql.connect() as conn:
        bodies = [
            json.loads(b)
            for (b,) in conn.execute(
                sa.select(t.outbox.c.body).where(t.outbox.c.topic == "merchant.privilege_changed")
            )
        ]
    sql.dispose()

    presale = {d: (held[d][("M1", "presale")], held[d][("M3", "presale")]) for d in held}
    assert presale == {
        9: (True, True),
        10: (False, False),
        11: (False, False),
        12: (False, False),  # M1's measure ends at 10:00 on the 12th
        13: (True, True),  # M3's ended at midnight: the 13th is free
        14: (True, True),
    }
    assert all(held[d][("M1", "ad_buying")] for d in held)  # presale_off takes nothing else
    # M2: the suspension takes every listed privilege from the 11th until it is lifted.
    for privilege in ("presale", "ad_buying", "instant_refund", "freight_insurance",
                      "recommendation_feed"):  # fmt: skip
        assert [held[d][("M2", privilege)] for d in sorted(held)] == [
            True, True, False, False, False, True,
        ]  # fmt: skip
    withdrawn = {(c.merchant_id, c.privilege) for c in sent[10] if not c.granted}
    assert withdrawn == {("M1", "presale"), ("M3", "presale")}
    for c in sent[10]:
        (because,) = c.because
        assert because.measure_id == {"M1": "ms-off", "M3": "ms-midnight"}[c.merchant_id]
        assert (because.kind, because.held) == ("presale_off", False)
    assert sent[12] == []  # still withdrawn: no flip, no message
    assert {(c.merchant_id, c.privilege, c.granted) for c in sent[13]} == {
        ("M1", "presale", True), ("M3", "presale", True),
    }  # fmt: skip
    suspended = [c for c in sent[11] if c.merchant_id == "M2"]
    assert len(suspended) == 5
    assert all(c.because[-1].measure_id == "ms-susp" for c in suspended)
    assert all(c.because[-1].ends_at is None for c in suspended)
    assert len(bodies) == sum(len(v) for v in sent.values())  # one message per flip, no more
