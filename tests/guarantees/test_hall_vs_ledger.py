"""The guarantee hall tells the truth: for every order of a simulated world, the payouts it shows
are the ledger's payouts to that order (per order and per transaction), and every decision
recorded for the order appears on one of its rights.

The ledger side is read straight from the tables: a transaction crediting a consumer account
belongs to the order of the decision its explanation names (not to whatever its key spells), so
the test does not share the hall's way of finding payouts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
import sqlalchemy as sa

from anxin.application import open_application, order_rules
from anxin.clock import FixedClock
from anxin.engine.files import ingest_file
from anxin.guarantees.hall import load_hall
from anxin.policy.pack import PolicyBook
from anxin.sim.params import preset
from anxin.sim.run import simulate
from anxin.store import schema as t

# Two merchants cheat so every payout family shows up in a few hundred orders.
CHEAT = {"false_ship_rate": 0.15, "fake_tracking_rate": 0.15, "fraud_ship_rate": 0.05}


@dataclass
class World:
    sql: sa.Engine
    book: PolicyBook
    now: dt.datetime
    orders: list[str]


@pytest.fixture(scope="module", params=["douyin", "tmall"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    pack: str = request.param
    root: Path = tmp_path_factory.mktemp(f"hall-{pack}")
    params = preset(
        "tiny", seed=11, target_orders=500, pack=pack, overrides={"M00001": CHEAT, "M00002": CHEAT}
    )
    events, truth = root / "events.jsonl", root / "truth.jsonl"
    with events.open("wb") as events_out, truth.open("wb") as truth_out:
        summary = simulate(params, events_out, truth_out)
    assert summary.last_event_at is not None
    now = summary.last_event_at + dt.timedelta(days=1)  # as the demo does: every clock has run
    app = open_application(str(root / "anxin.db"), pack, FixedClock(now))
    sql, book, engine = app.sql, app.book, app.engine
    ingest_file(engine, events, batch_size=20_000)
    engine.tick(now)
    with sql.connect() as conn:
        orders = list(conn.execute(sa.select(t.order_state.c.order_id)).scalars())
    yield World(sql, book, now, sorted(orders))
    sql.dispose()


def ledger_payouts(conn: sa.Connection) -> dict[str, dict[str, tuple[int, str]]]:
    """order id → {transaction key → (amount credited to the consumer, currency)}."""
    d = t.decisions.c
    owner = {
        i: key.removeprefix("order:")
        for i, key in conn.execute(sa.select(d.decision_id, d.aggregate_key))
    }
    e, x = t.ledger_entries.c, t.ledger_transactions.c
    rows = conn.execute(
        sa.select(e.txn_key, e.amount, e.currency, x.explanation)
        .join_from(t.ledger_entries, t.ledger_transactions, e.txn_key == x.txn_key)
        .where(e.account.like("consumer:%"), e.amount > 0)
    )
    out: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for r in rows:
        decision_id = msgspec.json.decode(r.explanation).get("decision_id")
        assert decision_id in owner, f"payout {r.txn_key} names no recorded decision"
        assert r.txn_key not in out[owner[decision_id]], f"{r.txn_key} credits two consumers"
        out[owner[decision_id]][r.txn_key] = (int(r.amount), r.currency)
    return out


def recorded_decisions(conn: sa.Connection) -> dict[str, set[str]]:
    d = t.decisions.c
    out: dict[str, set[str]] = defaultdict(set)
    for decision_id, key in conn.execute(sa.select(d.decision_id, d.aggregate_key)):
        out[key.removeprefix("order:")].add(decision_id)
    return out


def test_every_payout_and_decision_of_every_order_is_in_its_hall(world: World) -> None:
    with world.sql.connect() as conn:
        paid = ledger_payouts(conn)
        decided = recorded_decisions(conn)
    assert sum(len(v) for v in paid.values()) >= 50, "too few payouts to test anything"
    mismatch: Counter[str] = Counter()
    examples: dict[str, str] = {}

    def miss(kind: str, what: str) -> None:
        mismatch[kind] += 1
        examples.setdefault(kind, what)

    for order_id in world.orders:
        hall = load_hall(world.sql, order_id, world.book, world.now, order_rules())
        want = paid.get(order_id, {})
        shown = [p for r in hall.rights for p in r.payouts]
        by_txn = {p["txn_key"]: (p["amount"], p["currency"]) for p in shown}
        if len(by_txn) != len(shown):
            miss("payout shown twice", order_id)
        for key, amount in want.items():
            if by_txn.get(key) != amount:
                miss("payout missing or wrong", f"{key}: ledger {amount}, hall {by_txn.get(key)}")
        for key in by_txn.keys() - want.keys():
            miss("payout not in the ledger", key)
        total = sum(a for a, _ in want.values())
        on_rights = sum(r.compensation["amount"] for r in hall.rights if r.compensation)
        if on_rights != total:
            miss("order sum on rights", f"{order_id}: ledger {total}, rights {on_rights}")
        hall_total = hall.compensation_total["amount"] if hall.compensation_total else 0
        if hall_total != total:
            miss("order compensation_total", f"{order_id}: ledger {total}, hall {hall_total}")
        seen = Counter(d["decision_id"] for r in hall.rights for d in r.decisions)
        for decision_id in decided.get(order_id, set()):
            if seen[decision_id] != 1:
                miss("decision missing or repeated", f"{decision_id} shown {seen[decision_id]}x")
        for right in hall.rights:
            if right.compensation and right.status != "compensated":
                miss("paid right not compensated", f"{order_id}/{right.right_id}: {right.status}")
    payouts = sum(len(v) for v in paid.values())
    decisions = sum(len(v) for v in decided.values())
    report = (
        f"{len(world.orders)} orders, {payouts} payouts, {decisions} decisions; "
        f"mismatches {dict(mismatch)}; e.g. {examples}"
    )
    print(report)
    assert not mismatch, report
