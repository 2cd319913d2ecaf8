"""The SQL store (SQLite or PostgreSQL) behind the engine's ``StoreTx`` port. Core only."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
from sqlalchemy import Connection, Engine, and_, delete, literal_column, select, update

from anxin.clock import from_us, to_us
from anxin.domain import merchant as merchant_state
from anxin.domain import order as order_state
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Decision, OutboxMessage, ScheduleDeadline
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.merchant import MerchantState
from anxin.domain.order import OrderState
from anxin.domain.standing import MerchantStanding
from anxin.engine.ports import (
    CapUsage,
    DeadLetter,
    HeldEvent,
    LoggedEvent,
    ParcelKey,
    ParcelRow,
    TracePrint,
    chunks,
)
from anxin.store import checkpoint, standing
from anxin.store import schema as t

_json = msgspec.json.Encoder()
_dejson = msgspec.json.Decoder()


def dumps(value: Any) -> str:
    return _json.encode(value).decode()


_PENDING = "'pending'"
# The PostgreSQL advisory lock of the engine's writers: one per schema, as each is a store.
_WRITERS_LOCK = "1634629751, hashtext(coalesce(current_schema(), ''))"
_DEADLINE_COLS = [
    "deadline_id",
    "aggregate_key",
    "rule_id",
    "due_at_us",
    "status",
    "pack",
    "pack_version",
    "data",
]


class SqlStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._checkpointer = checkpoint.for_engine(engine)  # SQLite files only

    @contextmanager
    def transaction(self, *, exclusive: bool = False) -> Iterator[SqlTx]:
        """Engine transactions on one store run one at a time, and each reads what the
        previous one committed. Every writer folds the order states it read, so two writers of
        one order that overlapped would lose the first one's update (an ingest beside a tick,
        or two ingests from two `anxin serve` processes behind a balancer).

        SQLite: the one write lock is taken before the first read (pysqlite would otherwise
        read outside any transaction and BEGIN only at the first write). PostgreSQL: the
        store's advisory lock, held to the commit. ``exclusive`` (a tick asks for it) is what
        every engine transaction gets here; readers (API views, reports) take no lock."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITERS_LOCK})")
            yield SqlTx(conn)
        if self._checkpointer is not None:
            self._checkpointer.kick()

    def wait_checkpoint(self) -> None:
        """Wait until what was committed so far has been checkpointed into the database file
        (SQLite; a no-op on PostgreSQL). Benchmarks call it so their timing includes it."""
        if self._checkpointer is not None:
            self._checkpointer.wait()


class SqlTx:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._pg = conn.dialect.name == "postgresql"

    def add_ignoring_repeats(self, table: Any, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` (all with the same keys); a row whose key is already stored is
        skipped (``ON CONFLICT DO NOTHING``: ids derived from facts absorb repeats)."""
        self._ignore(table, rows)

    def _ignore(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            cols = list(rows[0])
            self._bulk(
                table, cols, [tuple(r[c] for c in cols) for r in rows], " ON CONFLICT DO NOTHING"
            )

    def _bulk(
        self, table: Any, cols: list[str], rows: list[tuple[Any, ...]], tail: str = ""
    ) -> int:
        """executemany with plain tuples: the hot path skips per-row parameter processing.

        ``ON CONFLICT ... DO NOTHING / DO UPDATE SET c = excluded.c`` reads the same on SQLite
        and PostgreSQL, so one statement serves both."""
        if not rows:
            return 0
        mark = "%s" if self._pg else "?"
        sql = (
            f"INSERT INTO {table.name} ({', '.join(cols)}) "
            f"VALUES ({', '.join([mark] * len(cols))}){tail}"
        )
        return self.conn.exec_driver_sql(sql, rows).rowcount  # rows written

    # ------------------------------------------------------------ event log

    def _select_in(self, sql: str, values: list[str]) -> list[Any]:
        """``sql`` with one ``{marks}`` IN-list, run in slices (plain driver SQL: hot path)."""
        mark = "%s" if self._pg else "?"
        found: list[Any] = []
        for part in chunks(values):
            text = sql.format(marks=", ".join([mark] * len(part)))
            found += self.conn.exec_driver_sql(text, tuple(part)).fetchall()
        return found

    def event_hashes(self, event_ids: Collection[str]) -> dict[str, str]:
        rows = self._select_in(
            "SELECT event_id, content_hash FROM events WHERE event_id IN ({marks})",
            list(event_ids),
        )
        return dict(rows)

    def append_new_events(self, rows: list[LoggedEvent]) -> dict[str, str]:
        if not rows:
            return {}
        cols = list(LoggedEvent._fields)
        if self._pg:  # concurrent writers: look up first (a race ends in a unique violation)
            held = self.event_hashes([r.event_id for r in rows])
            self._bulk(t.events, cols, [r for r in rows if r.event_id not in held])
            return held
        # SQLite: insert first; ids are looked up only when a row was skipped (nearly never).
        # The transaction holds the one write lock (see SqlStore.transaction), so rows already
        # there were committed before it and carry lower seqs than every row it adds: of the
        # batch's ids, the rows with the `written` highest seqs are this call's, the others
        # were held.
        new: list[tuple[Any, ...]] = list(rows)
        written = self._bulk(t.events, cols, new, " ON CONFLICT (event_id) DO NOTHING")
        if written == len(rows):
            return {}
        found = self._select_in(
            "SELECT event_id, content_hash, seq FROM events WHERE event_id IN ({marks})",
            [r.event_id for r in rows],
        )
        found.sort(key=lambda f: f[2])
        return {event_id: digest for event_id, digest, _ in found[: len(found) - written]}

    def event_bodies(self, event_ids: Collection[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for part in chunks(list(event_ids)):
            q = select(t.events.c.event_id, t.events.c.body).where(t.events.c.event_id.in_(part))
            found.update({row[0]: row[1].encode() for row in self.conn.execute(q)})
        return found

    # ------------------------------------------------------------ state

    def load_orders(self, order_ids: Collection[str]) -> dict[str, OrderState]:
        rows = self._select_in(
            "SELECT order_id, state FROM order_state WHERE order_id IN ({marks})", list(order_ids)
        )
        return {oid: order_state.decode_state(raw) for oid, raw in rows}

    def save_orders(self, states: Iterable[OrderState]) -> None:
        rows = [
            (s.order_id, s.merchant_id, s.status, s.version, order_state.encode_state(s).decode())
            for s in states
        ]
        self._bulk(
            t.order_state,
            ["order_id", "merchant_id", "status", "version", "state"],
            rows,
            " ON CONFLICT (order_id) DO UPDATE SET merchant_id = excluded.merchant_id,"
            " status = excluded.status, version = excluded.version, state = excluded.state",
        )

    def load_merchants(self, merchant_ids: Collection[str]) -> dict[str, MerchantState]:
        found: dict[str, MerchantState] = {}
        for part in chunks(list(merchant_ids)):
            q = select(t.merchant_state.c.merchant_id, t.merchant_state.c.state).where(
                t.merchant_state.c.merchant_id.in_(part)
            )
            for mid, raw in self.conn.execute(q):
                found[mid] = merchant_state.decode_state(raw)
        return found

    def save_merchants(self, states: Iterable[MerchantState]) -> None:
        rows = [(s.merchant_id, s.version, merchant_state.encode_state(s).decode()) for s in states]
        self._bulk(
            t.merchant_state,
            ["merchant_id", "version", "state"],
            rows,
            " ON CONFLICT (merchant_id) DO UPDATE SET version = excluded.version,"
            " state = excluded.state",
        )

    def merchant_standing(
        self, merchant_ids: Collection[str], privilege: str, since_us: int, until_us: int
    ) -> dict[str, MerchantStanding]:
        return standing.merchant_standing(self.conn, merchant_ids, privilege, since_us, until_us)

    # ------------------------------------------------------------ parcels, held scans

    def parcel_orders(self, keys: Collection[ParcelKey]) -> dict[ParcelKey, list[str]]:
        # One query per carrier with an IN-list of numbers: SQLite does not use the primary key
        # for a row-value ``(carrier, number) IN (...)`` list and scanned the whole table per
        # batch (quadratic in the number of parcels).
        numbers: dict[str, list[str]] = {}
        for carrier, number in keys:
            numbers.setdefault(carrier, []).append(number)
        mark = "%s" if self._pg else "?"
        rows: list[tuple[str, str, str, int]] = []
        for carrier, wanted in numbers.items():
            for part in chunks(wanted):
                sql = (
                    "SELECT tracking_number, order_id, registered_at_us FROM parcels WHERE "
                    f"carrier = {mark} AND tracking_number IN ({', '.join([mark] * len(part))})"
                )
                for number, order_id, at in self.conn.exec_driver_sql(sql, (carrier, *part)):
                    rows.append((carrier, number, order_id, at))
        found: dict[ParcelKey, list[str]] = {}
        for carrier, number, order_id, _ in sorted(rows, key=lambda r: (r[3], r[2])):
            found.setdefault((carrier, number), []).append(order_id)
        return found

    def add_parcels(self, rows: list[ParcelRow]) -> None:
        self._ignore(t.parcels, [r._asdict() for r in rows])

    def trace_prints(self, fingerprints: Collection[str]) -> dict[str, TracePrint]:
        return self._rows_by_key(t.trace_prints, TracePrint, fingerprints)

    def _rows_by_key(self, table: Any, row: Any, keys: Collection[str]) -> dict[str, Any]:
        """``table``'s rows as ``row`` tuples (its fields name the columns, the key first),
        by key."""
        cols = [table.c[name] for name in row._fields]
        found: dict[str, Any] = {}
        for part in chunks(list(keys)):
            for values in self.conn.execute(select(*cols).where(cols[0].in_(part))):
                found[values[0]] = row(*values)
        return found

    def add_trace_prints(self, rows: list[TracePrint]) -> None:
        self._ignore(t.trace_prints, [r._asdict() for r in rows])

    def cap_usage(self, cap_keys: Collection[str]) -> dict[str, CapUsage]:
        return self._rows_by_key(t.payout_caps, CapUsage, cap_keys)

    def save_cap_usage(self, rows: list[CapUsage]) -> None:
        self._bulk(
            t.payout_caps,
            ["cap_key", "currency", "used"],
            [tuple(r) for r in rows],
            " ON CONFLICT (cap_key) DO UPDATE SET used = excluded.used",
        )

    def hold(self, rows: list[HeldEvent]) -> None:
        self._ignore(
            t.held_events,
            [
                {
                    "event_id": r.event_id,
                    "hold_key": r.hold_key,
                    "reason": r.reason,
                    "held_at_us": r.held_at_us,
                }
                for r in rows
            ],
        )

    def held(self, hold_keys: Collection[str]) -> list[HeldEvent]:
        found: list[HeldEvent] = []
        c = t.held_events.c
        for part in chunks(list(hold_keys)):
            q = select(c.event_id, c.hold_key, c.reason, c.held_at_us).where(c.hold_key.in_(part))
            found += [HeldEvent(*row) for row in self.conn.execute(q)]
        return found

    def release(self, event_ids: Collection[str]) -> None:
        for part in chunks(list(event_ids)):
            self.conn.execute(delete(t.held_events).where(t.held_events.c.event_id.in_(part)))

    # ------------------------------------------------------------ timers

    def _deadline_rows(self, deadlines: list[ScheduleDeadline]) -> list[tuple[Any, ...]]:
        return [
            (
                d.deadline_id,
                d.aggregate_key,
                d.rule_id,
                to_us(d.due_at),
                "pending",
                d.pack,
                d.pack_version,
                dumps(d.data),
            )
            for d in deadlines
        ]

    def schedule(self, deadlines: list[ScheduleDeadline], cancelled: Collection[str] = ()) -> None:
        """Insert-or-ignore; those in ``cancelled`` go in cancelled, or cancel a pending row
        already there: the rows ``schedule`` then ``cancel`` would leave, in one statement
        (most clocks are set and stopped within one batch)."""
        rows = [
            (*row[:4], "cancelled" if d.deadline_id in cancelled else "pending", *row[5:])
            for d, row in zip(deadlines, self._deadline_rows(deadlines), strict=True)
        ]
        self._bulk(
            t.deadlines,
            _DEADLINE_COLS,
            rows,
            " ON CONFLICT (deadline_id) DO UPDATE SET status = excluded.status"
            " WHERE excluded.status = 'cancelled' AND deadlines.status = 'pending'",
        )

    def reschedule(
        self, deadlines: list[ScheduleDeadline], cancelled: Collection[str] = ()
    ) -> None:
        """Move (or re-arm, or idle) watches: new due time, data and status."""
        rows = [
            (*row[:4], "cancelled" if d.idle or d.deadline_id in cancelled else "pending", *row[5:])
            for d, row in zip(deadlines, self._deadline_rows(deadlines), strict=True)
        ]
        self._bulk(
            t.deadlines,
            _DEADLINE_COLS,
            rows,
            " ON CONFLICT (deadline_id) DO UPDATE SET due_at_us = excluded.due_at_us,"
            " status = excluded.status, fired_at_us = NULL, pack = excluded.pack,"
            " pack_version = excluded.pack_version, data = excluded.data",
        )

    def cancel(self, deadline_ids: Collection[str]) -> None:
        mark = "%s" if self._pg else "?"
        self.conn.exec_driver_sql(
            "UPDATE deadlines SET status = 'cancelled' "
            f"WHERE deadline_id = {mark} AND status = 'pending'",
            [(i,) for i in deadline_ids],
        )

    def claim_due(self, now_us: int, limit: int) -> list[DueDeadline]:
        c = t.deadlines.c
        q = (
            select(
                c.deadline_id,
                c.rule_id,
                c.aggregate_key,
                c.due_at_us,
                c.pack,
                c.pack_version,
                c.data,
            )
            # A literal, not a parameter: the planner must see it matches the partial index.
            .where(and_(c.status == literal_column(_PENDING), c.due_at_us <= now_us))
            .order_by(c.due_at_us, c.deadline_id)
            .limit(limit)
        )
        if self._pg:  # ticks run alone (see SqlStore.transaction); this is belt and braces
            q = q.with_for_update(skip_locked=True)
        return [
            DueDeadline(did, rule, key, from_us(due), pack, version, _dejson.decode(data))
            for did, rule, key, due, pack, version, data in self.conn.execute(q)
        ]

    def mark_fired(self, deadline_ids: Collection[str], fired_at_us: int) -> None:
        c = t.deadlines.c
        for part in chunks(list(deadline_ids)):
            self.conn.execute(
                update(t.deadlines)
                .where(and_(c.deadline_id.in_(part), c.status == "pending"))
                .values(status="fired", fired_at_us=fired_at_us)
            )

    # ------------------------------------------------------------ effects

    def add_decisions(self, decisions: list[Decision]) -> None:
        self._ignore(
            t.decisions,
            [
                {
                    "decision_id": d.decision_id,
                    "aggregate_key": d.aggregate_key,
                    "rule_id": d.rule_id,
                    "kind": d.kind,
                    "decided_at_us": to_us(d.decided_at),
                    "pack": d.explanation.pack,
                    "pack_version": d.explanation.pack_version,
                    "explanation": dumps(d.explanation),
                    "outcome": dumps(d.outcome),
                }
                for d in decisions
            ],
        )

    def post_ledger(self, transactions: list[LedgerTransaction]) -> int:
        """Post new transactions; returns how many keys already held different content."""
        if not transactions:
            return 0
        existing: dict[str, str] = {}
        c = t.ledger_transactions.c
        for part in chunks([x.key for x in transactions]):
            q = select(c.txn_key, c.fingerprint).where(c.txn_key.in_(part))
            existing.update({row[0]: row[1] for row in self.conn.execute(q)})
        fresh = [x for x in transactions if x.key not in existing]
        conflicts = sum(
            1 for x in transactions if x.key in existing and existing[x.key] != x.fingerprint()
        )
        if fresh:
            self.conn.execute(
                t.ledger_transactions.insert(),
                [
                    {
                        "txn_key": x.key,
                        "occurred_at_us": to_us(x.occurred_at),
                        "reason": x.reason,
                        "fingerprint": x.fingerprint(),
                        "explanation": dumps(dict(x.explanation)),
                    }
                    for x in fresh
                ],
            )
            self.conn.execute(
                t.ledger_entries.insert(),
                [
                    {
                        "txn_key": x.key,
                        "account": p.account,
                        "currency": p.amount.currency,
                        "amount": p.amount.amount,
                    }
                    for x in fresh
                    for p in x.postings
                ],
            )
        return conflicts

    def add_outbox(self, messages: list[OutboxMessage]) -> None:
        self._ignore(
            t.outbox,
            [
                {
                    "message_id": m.message_id,
                    "topic": m.topic,
                    "aggregate_key": m.aggregate_key,
                    "created_at_us": to_us(m.created_at),
                    "body": dumps(m.body),
                    "dispatched_at_us": None,
                }
                for m in messages
            ],
        )

    def add_dead_letters(self, rows: list[DeadLetter]) -> None:
        self._ignore(
            t.dead_letters,
            [
                {
                    "dead_letter_id": r.dead_letter_id,
                    "received_at_us": r.received_at_us,
                    "source": r.source,
                    "position": r.position,
                    "event_id": r.event_id,
                    "code": r.code,
                    "path": r.path,
                    "message": r.message,
                    "raw": r.raw,
                }
                for r in rows
            ],
        )
