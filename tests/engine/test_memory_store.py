"""MemoryStore: the same rows as SqlStore for the same stream, and nothing at all on rollback."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from anxin.application import order_rules
from anxin.clock import FixedClock, to_us
from anxin.domain import ledger
from anxin.domain import order as order_fold
from anxin.domain.effects import Decision, Explanation, OutboxMessage, ScheduleDeadline
from anxin.domain.merchant import MerchantState
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.engine.memory import MemoryStore
from anxin.engine.ports import (
    CapUsage,
    DeadLetter,
    HeldEvent,
    LoggedEvent,
    ParcelRow,
    Store,
    TracePrint,
)
from anxin.engine.processor import Engine
from anxin.policy.pack import PolicyBook
from anxin.sample import example_lines
from anxin.store.sql import SqlStore

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
_json = msgspec.json.Encoder()


def _dumps(value: Any) -> str:
    return _json.encode(value).decode()


# ---------------------------------------------------------------- same stream, same rows


def _feed(engine: Engine, lines: list[bytes]) -> list[Any]:
    """Uneven batches and ticks at several instants, with a small claim batch."""
    reports: list[Any] = []
    positions = list(enumerate(lines, 1))
    for start in range(0, len(positions), 97):
        reports.append(engine.ingest(positions[start : start + 97], "test"))
    for at in (
        dt.datetime(2026, 10, 5, tzinfo=UTC),
        dt.datetime(2026, 10, 15, 12, tzinfo=UTC),
        NOW,
        NOW,  # a second tick at the same instant fires nothing
    ):
        reports.append(engine.tick(at, batch=37))
    reports.append(engine.ingest(positions, "redelivery"))  # all duplicates
    return reports


def _sql_rows(sql: sa.Engine) -> dict[str, Any]:
    with sql.connect() as conn:

        def q(text: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(sa.text(text))]

        return {
            "events": sorted(q("select event_id, content_hash, body from events")),
            "decisions": sorted(
                q(
                    "select decision_id, aggregate_key, rule_id, kind, decided_at_us, pack,"
                    " pack_version, explanation, outcome from decisions"
                )
            ),
            "ledger_txns": sorted(
                q("select txn_key, occurred_at_us, reason, fingerprint from ledger_transactions")
            ),
            "ledger_entries": Counter(
                q("select txn_key, account, currency, amount from ledger_entries")
            ),
            "outbox": sorted(
                q("select message_id, topic, aggregate_key, created_at_us, body from outbox")
            ),
            "orders": sorted(
                q("select order_id, merchant_id, status, version, state from order_state")
            ),
            "deadlines": sorted(
                q("select deadline_id, due_at_us, status, fired_at_us, pack_version from deadlines")
            ),
            "parcels": sorted(q("select carrier, tracking_number, order_id from parcels")),
            "held": sorted(q("select event_id, hold_key from held_events")),
            "dead_letters": q("select count(*) from dead_letters")[0][0],
        }


def _memory_rows(store: MemoryStore) -> dict[str, Any]:
    orders = store.orders()
    with store.transaction() as tx:
        parcels = tx.parcel_orders(
            {(p.carrier, p.tracking_number) for s in orders.values() for p in s.parcels}
        )
    return {
        "events": sorted((e.event_id, e.content_hash, e.body) for e in store.events()),
        "decisions": sorted(
            (
                d.decision_id,
                d.aggregate_key,
                d.rule_id,
                d.kind,
                to_us(d.decided_at),
                d.explanation.pack,
                d.explanation.pack_version,
                _dumps(d.explanation),
                _dumps(d.outcome),
            )
            for d in store.decisions()
        ),
        "ledger_txns": sorted(
            (x.key, to_us(x.occurred_at), x.reason, x.fingerprint())
            for x in store.ledger_transactions()
        ),
        "ledger_entries": Counter(store.ledger_entries()),
        "outbox": sorted(
            (m.message_id, m.topic, m.aggregate_key, to_us(m.created_at), _dumps(m.body))
            for m in store.outbox()
        ),
        "orders": sorted(
            (s.order_id, s.merchant_id, s.status, s.version, order_fold.encode_state(s).decode())
            for s in orders.values()
        ),
        "deadlines": sorted(
            (d.deadline.deadline_id, d.due_at_us, d.status, d.fired_at_us, d.deadline.pack_version)
            for d in store.deadlines()
        ),
        "parcels": sorted((c, n, o) for (c, n), owners in parcels.items() for o in owners),
        "held": sorted((h.event_id, h.hold_key) for h in store.held_events()),
        "dead_letters": len(store.dead_letters()),
    }


def test_memory_store_lands_on_the_same_rows_as_sql(
    engine: Engine, sql_engine: sa.Engine, book: PolicyBook, clock: FixedClock
) -> None:
    lines = example_lines(300, 10)
    # some carrier scans arrive batches before their shipment: held, then released
    early = {i for i, line in enumerate(lines[:600]) if b'"tracking.scanned"' in line}
    lines = [lines[i] for i in sorted(early)] + [x for i, x in enumerate(lines) if i not in early]
    memory = MemoryStore()
    on_memory = Engine(memory, book, clock, rules=engine.rules)

    sql_reports = _feed(engine, lines)
    memory_reports = _feed(on_memory, lines)

    assert memory_reports == sql_reports
    sql_rows, memory_rows = _sql_rows(sql_engine), _memory_rows(memory)
    for table in sql_rows:
        assert memory_rows[table] == sql_rows[table], table
    # the stream is rich enough for the comparison to mean something
    assert len(memory_rows["orders"]) == 300
    assert {d[3] for d in memory_rows["decisions"]} == {"breach"}
    assert len(memory_rows["ledger_txns"]) > 10
    assert {"consumer.compensation", "merchant.task"} <= {o[1] for o in memory_rows["outbox"]}
    # nothing due by the tick is left pending (the year-long never-signed clocks are not due)
    pending_due = [d for d in memory_rows["deadlines"] if d[2] == "pending" and d[1] <= to_us(NOW)]
    assert pending_due == []
    assert sum(e[3] * n for e, n in memory_rows["ledger_entries"].items()) == 0
    assert sql_reports[-1].duplicates == len(lines)
    assert sum(r.held for r in sql_reports[:-1] if hasattr(r, "held")) > 0
    assert sum(r.released for r in sql_reports[:-1] if hasattr(r, "released")) > 0
    assert memory_rows["held"] == []  # every early scan found its shipment


# ---------------------------------------------------------------- port semantics, both stores

T0 = dt.datetime(2026, 9, 1, tzinfo=UTC)
T2001 = dt.datetime(2001, 1, 1, tzinfo=UTC)


def _deadline(deadline_id: str, due_at: dt.datetime, tier: int = 0) -> ScheduleDeadline:
    return ScheduleDeadline(
        deadline_id, "order:X", "late_shipment", due_at, "douyin", "2026-08-10", {"tier": tier}
    )


def _txn(key: str, amount: int) -> ledger.LedgerTransaction:
    return ledger.transfer(
        key,
        debit=ledger.merchant_deposit("M1"),
        credit=ledger.consumer("C1"),
        amount=Money(amount, "CNY"),
        occurred_at=T0,
        reason="test",
    )


def _claim_order_and_limit(store: Store) -> None:
    with store.transaction() as tx:
        tx.schedule(
            [
                _deadline("d-late", T0 + dt.timedelta(seconds=1)),
                _deadline("d-b", T0),
                _deadline("d-a", T0),
                _deadline("d-early", T0 - dt.timedelta(hours=1)),
            ]
        )
    with store.transaction() as tx:
        assert [d.deadline_id for d in tx.claim_due(to_us(T0), 2)] == ["d-early", "d-a"]
        claimed = tx.claim_due(to_us(T0), 10)  # exactly at due is due; one µs later is not
        assert [d.deadline_id for d in claimed] == ["d-early", "d-a", "d-b"]
        assert claimed[1].due_at == T0
        assert claimed[1].data == {"tier": 0}
        assert (claimed[1].pack, claimed[1].pack_version) == ("douyin", "2026-08-10")
        assert tx.claim_due(to_us(T0) - 1, 10)[-1].deadline_id == "d-early"


def _schedule_is_insert_or_ignore(store: Store) -> None:
    with store.transaction() as tx:
        tx.schedule([_deadline("d", T0, tier=0)])
        tx.schedule([_deadline("d", T0 - dt.timedelta(days=1), tier=1)])
    with store.transaction() as tx:
        assert tx.claim_due(to_us(T0) - 1, 10) == []
        (due,) = tx.claim_due(to_us(T0), 10)
        assert due.data == {"tier": 0}


def _fired_and_cancelled_stay_so(store: Store) -> None:
    with store.transaction() as tx:
        tx.schedule([_deadline("fired", T0), _deadline("cancelled", T0), _deadline("open", T0)])
        tx.cancel(["cancelled"])
        tx.mark_fired(["fired", "cancelled"], to_us(T0))
    with store.transaction() as tx:
        assert [d.deadline_id for d in tx.claim_due(to_us(T0), 10)] == ["open"]
        tx.cancel(["fired"])  # only pending moves
        tx.schedule([_deadline("fired", T0)])  # and a re-schedule does not revive it
        assert [d.deadline_id for d in tx.claim_due(to_us(T0), 10)] == ["open"]


def _schedule_already_cancelled(store: Store) -> None:
    """``cancelled`` leaves the rows ``schedule`` (or ``reschedule``) then ``cancel`` would."""
    watch = msgspec.structs.replace(_deadline("w", T0), replace=True)
    with store.transaction() as tx:
        tx.schedule([_deadline("fired", T0), _deadline("pending", T0)])
        tx.mark_fired(["fired"], to_us(T0))
    with store.transaction() as tx:
        tx.schedule(
            [_deadline(i, T0) for i in ("new-stopped", "new", "fired", "pending")],
            cancelled={"new-stopped", "fired", "pending", "not-scheduled"},
        )
        tx.reschedule([watch], cancelled={"w"})
        assert [d.deadline_id for d in tx.claim_due(to_us(T0), 10)] == ["new"]
        tx.cancel(["new"])
        tx.reschedule([watch])  # a watch re-armed is pending again
        assert [d.deadline_id for d in tx.claim_due(to_us(T0), 10)] == ["w"]
        tx.mark_fired(["fired", "new-stopped", "pending"], to_us(T0))  # none was pending
        tx.schedule([_deadline("pending", T0)])  # a plain re-schedule does not revive it
        assert [d.deadline_id for d in tx.claim_due(to_us(T0), 10)] == ["w"]


def _post_ledger_counts_conflicts(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.post_ledger([_txn("a", 100), _txn("b", 200)]) == 0
    with store.transaction() as tx:
        assert tx.post_ledger([_txn("a", 100)]) == 0  # the same content: absorbed
        assert tx.post_ledger([_txn("a", 101), _txn("b", 200), _txn("c", 300)]) == 1
        assert tx.post_ledger([_txn("c", 999)]) == 1  # sees its own transaction's writes


def _orders_are_upserted(store: Store) -> None:
    state = OrderState("O1", version=1, merchant_id="M1")
    with store.transaction() as tx:
        tx.save_orders([state])
        state.version, state.consumer_id = 2, "C1"
        assert tx.load_orders(["O1"])["O1"].version == 1  # stored, not aliased
        tx.save_orders([state])
        tx.save_merchants([MerchantState("M1", version=1, name="shop")])
    with store.transaction() as tx:
        assert tx.load_orders(["O1", "O2"]) == {"O1": state}
        tx.save_merchants([MerchantState("M1", version=2, name="renamed")])
        assert tx.load_merchants(["M1", "M2"])["M1"].name == "renamed"


def _parcels_and_held_scans(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_parcels([ParcelRow("SF", "1", "O1", "S1", 10)])
        tx.add_parcels(
            [
                ParcelRow("SF", "1", "O2", "S2", 5),  # registered earlier: listed first
                ParcelRow("SF", "1", "O1", "S9", 1),  # ignored: O1 is on SF 1 already
                ParcelRow("ZTO", "1", "O3", "S3", 7),
            ]
        )
        tx.add_trace_prints([TracePrint("fp1", "SF", "1", "O1", "C1")])
        tx.add_trace_prints([TracePrint("fp1", "SF", "2", "O2", "C2")])  # ignored: known print
        tx.save_cap_usage([CapUsage("k1", "CNY", 300)])
        tx.hold([HeldEvent("e1", "parcel:YTO:9", "awaiting_shipment", 1)])
        tx.hold(
            [
                HeldEvent("e1", "parcel:other", "awaiting_shipment", 2),  # ignored: same id
                HeldEvent("e2", "parcel:YTO:9", "awaiting_shipment", 3),
                HeldEvent("e3", "parcel:EMS:1", "awaiting_shipment", 4),
            ]
        )
    with store.transaction() as tx:
        assert tx.parcel_orders([("SF", "1"), ("ZTO", "1"), ("SF", "2")]) == {
            ("SF", "1"): ["O2", "O1"],
            ("ZTO", "1"): ["O3"],
        }
        assert tx.trace_prints(["fp1", "fp2"]) == {"fp1": TracePrint("fp1", "SF", "1", "O1", "C1")}
        assert tx.cap_usage(["k1", "k2"]) == {"k1": CapUsage("k1", "CNY", 300)}
        tx.save_cap_usage([CapUsage("k1", "CNY", 500), CapUsage("k2", "CNY", 1)])
        assert tx.cap_usage(["k1"]) == {"k1": CapUsage("k1", "CNY", 500)}
        held = tx.held(["parcel:YTO:9", "parcel:other"])
        assert sorted(h.event_id for h in held) == ["e1", "e2"]
        tx.release(["e1", "missing"])
        assert [h.event_id for h in tx.held(["parcel:YTO:9"])] == ["e2"]
    with store.transaction() as tx:
        assert [h.event_id for h in tx.held(["parcel:YTO:9", "parcel:EMS:1"])] in (
            ["e2", "e3"],
            ["e3", "e2"],
        )


def _event_log(store: Store) -> None:
    row = LoggedEvent("e1", "order.paid", "order:O1", 5, "test", "h1", '{"id":"e1"}', 6)
    with store.transaction() as tx:
        tx.append_new_events([row])
        assert tx.event_hashes(["e1", "e2"]) == {"e1": "h1"}
    with store.transaction() as tx:
        assert tx.event_bodies(["e1", "e2"]) == {"e1": b'{"id":"e1"}'}
    # Ids the log holds are skipped and reported with their stored hash, whatever the content.
    again = row._replace(content_hash="h-other", body='{"id":"e1","x":1}')
    e2 = row._replace(event_id="e2", content_hash="h2")
    with store.transaction() as tx:
        assert tx.append_new_events([again, e2]) == {"e1": "h1"}
        assert tx.append_new_events([e2._replace(content_hash="h2b")]) == {"e2": "h2"}
    with store.transaction() as tx:
        assert tx.event_hashes(["e1", "e2"]) == {"e1": "h1", "e2": "h2"}
        assert tx.event_bodies(["e1"]) == {"e1": b'{"id":"e1"}'}
    # A batch larger than one statement's slice, with held ids in several slices.
    many = [row._replace(event_id=f"m{i:05d}", content_hash=f"n{i}") for i in range(4_500)]
    with store.transaction() as tx:
        assert tx.append_new_events([many[10], many[2_100], many[4_400]]) == {}
    with store.transaction() as tx:
        assert tx.append_new_events([r._replace(content_hash="x") for r in many]) == {
            "m00010": "n10",
            "m02100": "n2100",
            "m04400": "n4400",
        }
        assert len(tx.event_hashes([r.event_id for r in many])) == 4_500


PORT_SCENARIOS: list[tuple[str, Callable[[Store], None]]] = [
    ("claim-order-limit-boundary", _claim_order_and_limit),
    ("schedule-insert-or-ignore", _schedule_is_insert_or_ignore),
    ("mark-fired-only-from-pending", _fired_and_cancelled_stay_so),
    ("schedule-already-cancelled", _schedule_already_cancelled),
    ("post-ledger-conflicts", _post_ledger_counts_conflicts),
    ("state-upsert", _orders_are_upserted),
    ("parcels-and-held", _parcels_and_held_scans),
    ("event-log", _event_log),
]


@pytest.mark.parametrize(
    "scenario", [s for _, s in PORT_SCENARIOS], ids=[i for i, _ in PORT_SCENARIOS]
)
def test_port_semantics_on_memory(scenario: Callable[[Store], None]) -> None:
    scenario(MemoryStore())


@pytest.mark.parametrize(
    "scenario", [s for _, s in PORT_SCENARIOS], ids=[i for i, _ in PORT_SCENARIOS]
)
def test_port_semantics_on_sql(scenario: Callable[[Store], None], sql_engine: sa.Engine) -> None:
    scenario(SqlStore(sql_engine))


# ---------------------------------------------------------------- rollback


class Boom(RuntimeError):
    pass


def _write_then_fail(store: MemoryStore, write: Callable[[Any], None]) -> None:
    with store.transaction() as tx:
        write(tx)
        raise Boom


def _snapshot(store: MemoryStore) -> tuple[Any, ...]:
    orders = store.orders()
    keys = {(p.carrier, p.tracking_number) for s in orders.values() for p in s.parcels}
    with store.transaction() as tx:
        parcels = tx.parcel_orders(keys | {("NEW", "1")})
        shared = (tx.trace_prints(["f"]), tx.cap_usage(["k"]))
    return (
        parcels,
        shared,
        store.events(),
        [_dumps(d) for d in store.decisions()],
        store.ledger_entries(),
        [_dumps(m) for m in store.outbox()],
        store.dead_letters(),
        store.deadlines(),
        store.held_events(),
        {k: order_fold.encode_state(v) for k, v in orders.items()},
        store.merchants(),
    )


def _decision(decision_id: str) -> Decision:
    return Decision(
        decision_id, "order:X", "late_shipment", "breach", T0, Explanation("r", "p", "v", {})
    )


WRITES: list[tuple[str, Callable[[Any], None]]] = [
    (
        "append_new_events",
        lambda tx: tx.append_new_events([LoggedEvent("new", "t", "k", 1, "s", "h", "{}", 1)]),
    ),
    ("save_orders-new", lambda tx: tx.save_orders([OrderState("NEW")])),
    ("save_orders-existing", lambda tx: tx.save_orders([OrderState("O00000000", version=99)])),
    ("save_merchants", lambda tx: tx.save_merchants([MerchantState("M0000", version=99)])),
    ("add_parcels", lambda tx: tx.add_parcels([ParcelRow("NEW", "1", "O1", "S1", 1)])),
    ("add_trace_prints", lambda tx: tx.add_trace_prints([TracePrint("f", "N", "1", "O", None)])),
    ("save_cap_usage", lambda tx: tx.save_cap_usage([CapUsage("k", "CNY", 1)])),
    ("hold", lambda tx: tx.hold([HeldEvent("new", "parcel:NEW:1", "awaiting_shipment", 1)])),
    ("release", lambda tx: tx.release(["held-1"])),
    ("schedule", lambda tx: tx.schedule([_deadline("new", T0)])),
    ("schedule-cancelled", lambda tx: tx.schedule([_deadline("new", T0)], cancelled={"new"})),
    ("cancel", lambda tx: tx.cancel(["pending-1"])),
    ("mark_fired", lambda tx: tx.mark_fired(["pending-1"], 1)),
    (
        "claim-and-fire",
        lambda tx: tx.mark_fired([d.deadline_id for d in tx.claim_due(to_us(T2001), 9)], 1),
    ),
    ("add_decisions", lambda tx: tx.add_decisions([_decision("new")])),
    ("post_ledger", lambda tx: tx.post_ledger([_txn("new", 100)])),
    (
        "add_outbox",
        lambda tx: tx.add_outbox([OutboxMessage("new", "t", "order:X", T0, {})]),
    ),
    (
        "add_dead_letters",
        lambda tx: tx.add_dead_letters([DeadLetter("new", 1, "s", None, None, "c", "$", "m", b"")]),
    ),
]


@pytest.fixture
def filled(book: PolicyBook, clock: FixedClock) -> MemoryStore:
    store = MemoryStore()
    engine = Engine(store, book, clock, rules=order_rules())
    engine.ingest(list(enumerate(example_lines(20, 3), 1)), "test")
    engine.tick(dt.datetime(2026, 10, 10, tzinfo=UTC))
    with store.transaction() as tx:
        tx.hold([HeldEvent("held-1", "parcel:X:1", "awaiting_shipment", 1)])
        tx.schedule([_deadline("pending-1", T2001)])
    assert store.decisions() or store.ledger_entries() or store.deadlines()
    return store


@pytest.mark.parametrize("write", [w for _, w in WRITES], ids=[i for i, _ in WRITES])
def test_an_exception_inside_the_transaction_leaves_the_store_unchanged(
    filled: MemoryStore, write: Callable[[Any], None]
) -> None:
    before = _snapshot(filled)
    with pytest.raises(Boom):
        _write_then_fail(filled, write)
    assert _snapshot(filled) == before
    with filled.transaction() as tx:  # the same write commits on a clean exit
        write(tx)
    assert _snapshot(filled) != before


def test_a_failed_engine_batch_leaves_the_store_unchanged(
    filled: MemoryStore, book: PolicyBook, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine(filled, book, clock, rules=order_rules())
    before = _snapshot(filled)

    def boom(name: str) -> None:
        if name == "ingest.before_commit":
            raise Boom

    monkeypatch.setattr("anxin.engine.failpoints.hit", boom)
    lines = example_lines(40, 3)
    with pytest.raises(Boom):
        engine.ingest(list(enumerate(lines, 1)), "test")
    assert _snapshot(filled) == before
    monkeypatch.undo()
    already = len(filled.events())
    report = engine.ingest(list(enumerate(lines, 1)), "test")
    assert (report.duplicates, report.accepted) == (already, len(lines) - already)


def test_reads_inside_a_transaction_see_its_own_writes(filled: MemoryStore) -> None:
    with filled.transaction() as tx:
        tx.release(["held-1"])
        assert tx.held(["parcel:X:1"]) == []
        tx.hold([HeldEvent("held-1", "parcel:X:1", "again", 2)])
        assert [h.reason for h in tx.held(["parcel:X:1"])] == ["again"]
        tx.mark_fired(["pending-1"], 5)
        assert "pending-1" not in {d.deadline_id for d in tx.claim_due(to_us(NOW), 10_000)}
    assert [h.reason for h in filled.held_events() if h.event_id == "held-1"] == ["again"]
