"""Duplicated and reordered facts for one case never grant more than was paid, never twice."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from anxin.aftersales.facts import (
    Escalated,
    Fact,
    Resolved,
    Responded,
    ReturnReceived,
    ReturnShipped,
    TimerFired,
)
from anxin.aftersales.flows import Case, Effect, apply

from .helpers import grants, policy, request

T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
POLICIES = {name: policy(name) for name in ("douyin", "tmall", "amazon")}

instants = st.integers(min_value=0, max_value=400 * 3600).map(
    lambda s: T0 + dt.timedelta(seconds=s)
)
amounts = st.one_of(st.none(), st.integers(min_value=-5, max_value=25_000))
facts: st.SearchStrategy[Fact] = st.one_of(
    st.builds(
        Responded,
        instants,
        st.sampled_from(["merchant", "system"]),
        st.sampled_from(["agree", "refuse", "agree_return", "propose"]),
    ),
    st.builds(Escalated, instants, st.sampled_from(["consumer", "merchant"])),
    st.builds(ReturnShipped, instants),
    st.builds(ReturnReceived, instants, st.sampled_from(["ok", "damaged"])),
    st.builds(
        Resolved,
        instants,
        st.sampled_from(["refunded", "refused", "exchanged", "withdrawn", "closed"]),
        st.sampled_from(["merchant", "platform", "system", "consumer"]),
        amounts,
        st.sampled_from([None, "merchant", "carrier", "platform"]),
    ),
    st.builds(
        TimerFired,
        instants,
        st.sampled_from(
            [
                "merchant_response",
                "consumer_ships_return",
                "return_confirmation",
                "escalation_window",
            ]
        ),
    ),
)


@given(
    pack=st.sampled_from(sorted(POLICIES)),
    kind=st.sampled_from(["refund_only", "return_refund", "exchange"]),
    shipped=st.booleans(),
    paid=st.integers(min_value=1, max_value=20_000),
    asked=st.integers(min_value=1, max_value=20_000),
    stream=st.lists(facts, max_size=12),
    data=st.data(),
)
def test_no_stream_grants_more_than_paid_or_twice(
    pack: str,
    kind: str,
    shipped: bool,
    paid: int,
    asked: int,
    stream: list[Fact],
    data: st.DataObject,
) -> None:
    p = POLICIES[pack]
    opening = request(T0, kind, shipped=shipped, amount=asked, refundable=paid)  # type: ignore[arg-type]
    # every fact may come twice, the request among them, in any order
    doubled = data.draw(st.permutations([opening, *stream, *stream, opening]))
    case: Case | None = None
    effects: list[Effect] = []
    for fact in doubled:
        case, more = apply(case, fact, p)
        effects += more
    granted = grants(effects)
    assert len(granted) <= 1
    assert sum(g.amount for g in granted) <= paid
    assert all(g.amount > 0 for g in granted)
    if case is not None:
        assert case.granted == sum(g.amount for g in granted)
        assert (case.state == "refunded") == bool(granted)
