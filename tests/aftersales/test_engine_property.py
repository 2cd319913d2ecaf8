"""Property: whatever after-sales events an order gets (1-3 cases), duplicated, shuffled and
split into random batches, the engine refunds no case twice and never more than was paid; ticked
once at the end it records exactly what the sorted, de-duplicated stream records; ticked between
batches too (a refund granted before later facts arrived), it still keeps both invariants."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anxin.application import load_policy
from anxin.contract import events as ev
from anxin.engine.memory import MemoryStore
from anxin.engine.processor import Engine

from .world import HOUR, PAID, Events, Outcome, engine_on, ingest, outcome

CN = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CN)
END = T0 + dt.timedelta(days=120)
BOOK = load_policy("douyin")
EV = Events()
# Offsets in hours, with the pack's clock lengths and a second past them among the likely ones.
HOURS = st.one_of(
    st.integers(0, 400), st.sampled_from([0, 1, 48, 49, 168, 169, 240, 241, 409, 410])
)


@st.composite
def case_events(draw: st.DrawFn, aid: str) -> list[ev.Event]:
    start = T0 + draw(st.integers(0, 72)) * HOUR
    kind = draw(st.sampled_from(["refund_only", "return_refund", "exchange"]))
    amount = draw(st.sampled_from([1_000, 4_000, 6_000, PAID, PAID + 1]))
    out: list[ev.Event] = [EV.requested(aid, start, kind, amount)]
    for _ in range(draw(st.integers(0, 6))):
        at = start + draw(HOURS) * HOUR + draw(st.sampled_from([0, 1])) * dt.timedelta(seconds=1)
        which = draw(st.integers(0, 5))
        if which == 0:
            decision = draw(st.sampled_from(["agree", "refuse", "agree_return"]))
            out.append(
                EV.responded(aid, at, decision, draw(st.sampled_from(["merchant", "system"])))
            )
        elif which == 1:
            out.append(EV.escalated(aid, at, draw(st.sampled_from(["consumer", "merchant"]))))
        elif which == 2:
            out.append(EV.return_shipped(aid, at))
        elif which == 3:
            out.append(EV.return_received(aid, at))
        else:
            outcome_ = draw(st.sampled_from(["refunded", "refunded", "refused", "withdrawn"]))
            by = draw(st.sampled_from(["merchant", "platform", "system", "consumer"]))
            refund = draw(st.sampled_from([None, 2_000, PAID, PAID + 3_000]))
            payer = draw(st.sampled_from([None, "merchant", "carrier", "platform"]))
            out.append(EV.resolved(aid, at, outcome_, by, refund, payer))
    return out


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[ev.Event], list[list[ev.Event]], list[dt.datetime]]:
    """(the de-duplicated events, the same duplicated/shuffled in batches, tick instants)."""
    order = EV.order(T0 - 10 * HOUR, shipped=draw(st.booleans()))
    cases = [draw(case_events(aid)) for aid in ["A", "B", "C"][: draw(st.integers(1, 3))]]
    unique = [*order, *(e for case in cases for e in case)]
    again = draw(st.lists(st.sampled_from(unique), max_size=6))
    shuffled = draw(st.permutations(unique + again))
    cuts = sorted(draw(st.lists(st.integers(0, len(shuffled)), max_size=4)))
    bounds = [0, *cuts, len(shuffled)]
    batches = [shuffled[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    ticks = [
        T0 + h * HOUR
        for h in draw(st.lists(st.integers(0, 600), min_size=len(batches), max_size=len(batches)))
    ]
    return unique, batches, ticks


def _run(batches: list[list[ev.Event]], ticks: list[dt.datetime] | None = None) -> Outcome:
    with engine_on("memory", BOOK) as engine:
        for i, batch in enumerate(batches):
            ingest(engine, batch)
            if ticks is not None:
                engine.tick(ticks[i])
        engine.tick(END)
        _check(engine)
        return outcome(engine)


def _check(engine: Engine) -> None:
    """No case granted or paid twice, and the order's refunds within its amount paid."""
    store = engine.store
    assert isinstance(store, MemoryStore)
    granted = paid = 0
    for key, account, _, amount in store.ledger_entries():
        if key.endswith(":granted") and account == "refunds_payable:C1":
            granted += amount
        if key.endswith(":paid") and account == "consumer:C1":
            paid += amount
    assert 0 <= paid <= granted <= PAID
    kinds = [(d.decision_id, d.kind) for d in store.decisions() if ":aftersales:" in d.decision_id]
    assert len(kinds) == len({i for i, _ in kinds})
    for decision_id, kind in kinds:
        if kind == "refund_paid":  # paid only what was granted to that case
            assert decision_id.removesuffix(":paid") + ":granted" in dict(kinds)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(streams())
def test_duplicated_shuffled_batched_after_sales_refund_once_within_the_amount_paid(
    stream: tuple[list[ev.Event], list[list[ev.Event]], list[dt.datetime]],
) -> None:
    unique, batches, ticks = stream
    ordered = sorted(unique, key=lambda e: (e.occurred_at, e.id))
    expected = _run([ordered])
    assert _run(batches) == expected
    _run(batches, ticks)  # ticked between batches: only the invariants must hold


def test_the_encoded_order_keeps_each_fact_once_in_time_order() -> None:
    events = [EV.requested("A", T0), EV.responded("A", T0 + HOUR, "agree")]
    lines = [msgspec.json.encode(e) for e in [*reversed(events), *events]]
    with engine_on("memory", BOOK) as engine:
        engine.ingest(list(enumerate(lines[:2])), "t")
        engine.ingest(list(enumerate(lines[2:])), "t")
        with engine.store.transaction() as tx:
            state = tx.load_orders({"O1"})["O1"]
    assert [f.type for f in state.aftersale_facts] == ["aftersale.requested", "aftersale.responded"]


def test_a_case_judged_before_its_order_was_placed_waits_for_the_placement() -> None:
    """Found by the property: a grant falling due while the order's placement (who pays, who is
    paid) had not arrived was recorded without its money, then paid out of nothing."""
    order = EV.order(T0 - 10 * HOUR)
    placed = [e for e in order if isinstance(e, ev.OrderPlaced)]
    rest = [e for e in order if not isinstance(e, ev.OrderPlaced)]
    request = EV.requested("B", T0, "refund_only", 1_000)
    report = EV.resolved("B", T0 + 48 * HOUR + dt.timedelta(seconds=1), "refunded", "merchant")
    with engine_on("memory", BOOK) as engine:
        ingest(engine, [*rest, request, report])
        engine.tick(T0 + 50 * HOUR)  # the merchant's 48 h ran out: the grant is due
        assert not [d for d in engine.store.decisions() if ":aftersales:" in d.decision_id]
        ingest(engine, placed)
        engine.tick(END)
        _check(engine)
        kinds = sorted(d.kind for d in engine.store.decisions() if ":aftersales:B" in d.decision_id)
        assert kinds == ["refund_granted", "refund_paid"]
