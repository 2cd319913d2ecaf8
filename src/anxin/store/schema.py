"""Tables of the store (SQLAlchemy Core). Alembic migrations create them; this is the map.

Timestamps are BIGINT microseconds since the Unix epoch, UTC (``*_us``): exact, portable across
SQLite and PostgreSQL, cheap to index, and impossible to store naive. Original offsets stay in
the stored event bodies. JSON documents are stored as text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

# 64-bit surrogate keys on PostgreSQL; SQLite autoincrements only an INTEGER PRIMARY KEY (rowid).
Serial = BigInteger().with_variant(Integer, "sqlite")

# Append-only event log: one row per accepted event, idempotent by event_id.
events = Table(
    "events",
    metadata,
    Column("seq", Serial, primary_key=True, autoincrement=True),
    Column("event_id", String(128), nullable=False, unique=True),
    Column("type", String(40), nullable=False),
    Column("partition_key", String(200), nullable=False),
    Column("occurred_at_us", BigInteger, nullable=False),
    Column("source", String(128), nullable=False),
    Column("content_hash", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("ingested_at_us", BigInteger, nullable=False),
)

order_state = Table(
    "order_state",
    metadata,
    Column("order_id", String(128), primary_key=True),
    Column("merchant_id", String(128)),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
)

merchant_state = Table(
    "merchant_state",
    metadata,
    Column("merchant_id", String(128), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
)

# Which order a parcel belongs to; tracking scans name parcels, not orders.
parcels = Table(
    "parcels",
    metadata,
    Column("carrier", String(64), primary_key=True),
    Column("tracking_number", String(64), primary_key=True),
    Column("order_id", String(128), nullable=False),
    Column("shipment_id", String(128), nullable=False),
)

# Scans that arrived before their shipment: kept (the body is in the log) until it arrives.
held_events = Table(
    "held_events",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("hold_key", String(200), nullable=False, index=True),
    Column("reason", String(64), nullable=False),
    Column("held_at_us", BigInteger, nullable=False),
)

deadlines = Table(
    "deadlines",
    metadata,
    Column("deadline_id", String(300), primary_key=True),
    Column("aggregate_key", String(200), nullable=False),
    Column("rule_id", String(64), nullable=False),
    Column("due_at_us", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),  # pending / fired / cancelled
    Column("fired_at_us", BigInteger),
    Column("pack", String(64), nullable=False),
    Column("pack_version", String(64), nullable=False),
    Column("data", Text, nullable=False),
    # Only pending deadlines are ever looked up by due time (``claim_due``), and most rows end
    # cancelled or fired: a partial index stays small and in cache, rows inserted cancelled never
    # touch it, and its (due_at_us, deadline_id) order is the order deadlines fire in.
    Index(
        "ix_deadlines_pending",
        "due_at_us",
        "deadline_id",
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
)

decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", String(300), primary_key=True),
    Column("aggregate_key", String(200), nullable=False, index=True),
    Column("rule_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("decided_at_us", BigInteger, nullable=False),
    Column("pack", String(64), nullable=False),
    Column("pack_version", String(64), nullable=False),
    Column("explanation", Text, nullable=False),
    Column("outcome", Text, nullable=False),
)

ledger_transactions = Table(
    "ledger_transactions",
    metadata,
    Column("txn_key", String(300), primary_key=True),
    Column("occurred_at_us", BigInteger, nullable=False),
    Column("reason", String(128), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("explanation", Text, nullable=False),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("entry_id", Serial, primary_key=True, autoincrement=True),
    Column("txn_key", String(300), nullable=False, index=True),
    Column("account", String(200), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("message_id", String(300), primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("aggregate_key", String(200), nullable=False),
    Column("created_at_us", BigInteger, nullable=False),
    Column("body", Text, nullable=False),
    Column("dispatched_at_us", BigInteger),
)

# Refused input, verbatim, with the precise error; keyed by a hash so a re-sent file does not
# duplicate its dead letters.
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("dead_letter_id", String(64), primary_key=True),
    Column("received_at_us", BigInteger, nullable=False),
    Column("source", String(256), nullable=False),
    Column("position", Integer),
    Column("event_id", String(128)),
    Column("code", String(40), nullable=False),
    Column("path", String(300), nullable=False),
    Column("message", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("role", String(32), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at_us", BigInteger, nullable=False),
    Column("revoked_at_us", BigInteger),
)
