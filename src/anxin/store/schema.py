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
    # A conversation's lines (the merchant portal's answer page): chat messages only, so the
    # ingest of every other event pays nothing for it.
    Index(
        "ix_events_chat",
        "partition_key",
        sqlite_where=text("type = 'chat.message'"),
        postgresql_where=text("type = 'chat.message'"),
    ),
)

order_state = Table(
    "order_state",
    metadata,
    Column("order_id", String(128), primary_key=True),
    Column("merchant_id", String(128), index=True),  # a shop's orders (portal, hall, clocks)
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

# Which orders a parcel belongs to; tracking scans name parcels, not orders. One number can
# carry several orders (a consumer's orders shipped together) — or be reused for another
# address, a fake-tracking sign; ``registered_at_us`` (the shipment's time) orders them.
parcels = Table(
    "parcels",
    metadata,
    Column("carrier", String(64), primary_key=True),
    Column("tracking_number", String(64), primary_key=True),
    Column("order_id", String(128), primary_key=True),
    Column("shipment_id", String(128), nullable=False),
    Column("registered_at_us", BigInteger, nullable=False, server_default="0"),
)

# Fingerprints of traces that reached their last leg: a second parcel with the same trace, scan
# for scan, is a cloned track (fake-tracking sign).
trace_prints = Table(
    "trace_prints",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("carrier", String(64), nullable=False),
    Column("tracking_number", String(64), nullable=False),
    Column("order_id", String(128), nullable=False),
    Column("consumer_id", String(128)),
)

# Running totals of caps shared by several orders (Tmall: same buyer and seller, same payment
# day, at most 500), in minor units.
payout_caps = Table(
    "payout_caps",
    metadata,
    Column("cap_key", String(300), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("used", BigInteger, nullable=False),
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
    Column("dispatched_at_us", BigInteger),  # when the dispatcher sequenced it (anxin.delivery)
    # Delivery order, given by the dispatcher after commit (under the sequencer's lock), so a
    # reader paging by ``seq`` never misses a row committed late; NULL until then.
    Column("seq", BigInteger, unique=True),
    Index(
        "ix_outbox_unsequenced",
        "created_at_us",
        "message_id",
        sqlite_where=text("seq IS NULL"),
        postgresql_where=text("seq IS NULL"),
    ),
    Index("ix_outbox_aggregate_topic", "aggregate_key", "topic"),  # an order's own messages
)

# ------------------------------------------------------------------ outbox delivery (webhooks)
# anxin.delivery: endpoints subscribe to topics; one delivery row per (message, endpoint).

# The sequencer's lock row and the last ``outbox.seq`` it gave.
outbox_sequencer = Table(
    "outbox_sequencer",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("endpoint_id", String(32), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),  # whsec_<base64>: kept to sign, never listed
    Column("types", Text, nullable=False),  # JSON list of topics; [] = every topic
    Column("created_at_us", BigInteger, nullable=False),
    Column("removed_at_us", BigInteger),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("message_id", String(300), primary_key=True),
    Column("endpoint_id", String(32), primary_key=True),
    Column("seq", BigInteger, nullable=False),  # the message's outbox.seq: order in partition
    Column("aggregate_key", String(200), nullable=False),
    Column("status", String(12), nullable=False),  # pending / delivered / failed / cancelled
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at_us", BigInteger, nullable=False),
    Column("first_attempt_at_us", BigInteger),
    Column("claimed_until_us", BigInteger),  # a dispatcher's lease on a pending row
    Column("claim_token", String(32)),
    Column("last_error", Text),
    Column("delivered_at_us", BigInteger),
    Column("created_at_us", BigInteger, nullable=False),
    # Due rows in order; and each partition's earliest pending row (per-aggregate order).
    Index(
        "ix_deliveries_due",
        "next_attempt_at_us",
        "seq",
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
    Index(
        "ix_deliveries_partition",
        "endpoint_id",
        "aggregate_key",
        "seq",
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
    # Failed rows for `outbox list --status failed` and `replay --failed`; partial, so the
    # claim's planner never prefers it to the due index.
    Index(
        "ix_deliveries_failed",
        "seq",
        sqlite_where=text("status = 'failed'"),
        postgresql_where=text("status = 'failed'"),
    ),
)

# Pull consumers' acknowledgements (GET /v1/outbox, POST /v1/outbox/ack), per API key.
outbox_acks = Table(
    "outbox_acks",
    metadata,
    Column("consumer", String(64), primary_key=True),
    Column("message_id", String(300), primary_key=True),
    Column("acked_at_us", BigInteger, nullable=False),
)

# A singleton job's lease (the scheduler of ``anxin serve`` on SQLite): one holder at a time,
# renewed each round; a holder that dies is replaced once ``expires_at_us`` has passed.
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at_us", BigInteger, nullable=False),
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
    # The party a key is scoped to: merchant keys name a merchant, consumer keys a consumer.
    Column("merchant_id", String(128)),
    Column("consumer_id", String(128)),
)

# A link token opens one order's guarantee hall to whoever holds it (a consumer without a key):
# stored as a hash, revocable; ``created_by`` names the operator key or the CLI.
link_tokens = Table(
    "link_tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("order_id", String(128), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at_us", BigInteger, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("revoked_at_us", BigInteger),
)

# ------------------------------------------------------------------ merchant score (projection)
# Flat facts the score's dataframe expressions read (anxin.score): rebuilt from the order states
# and the event log by `anxin score`, exported as Parquet for DuckDB and Spark. Times in µs UTC.

score_orders = Table(
    "score_orders",
    metadata,
    Column("order_id", String(128), primary_key=True),
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("paid_at_us", BigInteger, nullable=False),
    Column("valid", Integer, nullable=False),  # a valid paid order (pack exclusions applied)
    Column("amount_paid", BigInteger, nullable=False),
    Column("cancelled_at_us", BigInteger),
    Column("merchant_cancelled", Integer, nullable=False),  # cancelled by the merchant unshipped
    Column("ship_by_us", BigInteger),  # the binding ship-by
    Column("shipped_at_us", BigInteger),  # the carrier's first pickup (the click without data)
    Column("pickup_start_us", BigInteger),  # the pickup clock's start (06:00 after night pays)
    Column("tracked", Integer, nullable=False),  # a parcel with carrier scans
    Column("anomaly_or_fraud", Integer, nullable=False),  # a trajectory-anomaly / fraud payout
    Column("logistics_finding", Integer, nullable=False),  # any shipping or logistics finding
    Column("signed_at_us", BigInteger),
    Column("delivery_due_us", BigInteger),  # the route's delivery standard from pickup
    Column("deliver_by_us", BigInteger),  # the promised (or estimated) delivery date
    Column("next_day_by_us", BigInteger),  # 23:59:59.999999 the day after payment (明日达)
    Column("remote", Integer, nullable=False),
    Column("rating", Integer),
    Column("rated_at_us", BigInteger),
    Column("first_reason", String(16)),  # quality / logistics / other: first after-sale's class
    Column("aftersale_at_us", BigInteger),
    Column("review_start_us", BigInteger),  # the review clock's start (08:00 after night asks)
    Column("agreed_at_us", BigInteger),  # merchant or system agreed to the first after-sale
    Column("claim_at_us", BigInteger),  # an A-to-z style claim (delivery guarantee finding)
    Column("sought_help", Integer, nullable=False),  # an after-sale request or a human chat
    Column("escalated", Integer, nullable=False),  # arbitration, complaint after the merchant
)

score_chats = Table(
    "score_chats",
    metadata,
    Column("conversation_id", String(128), primary_key=True),
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("started_at_us", BigInteger, nullable=False),
    Column("counted", Integer, nullable=False),  # started in the service window (08:00-22:59:59)
    Column("rounds", Integer, nullable=False),  # consumer turns answered or not
    Column("response_seconds", BigInteger, nullable=False),  # unanswered rounds count 10 min
    Column("rating", Integer),
)

score_merchants = Table(
    "score_merchants",
    metadata,
    Column("merchant_id", String(128), primary_key=True),
    Column("industry", String(64), nullable=False),
    Column("shop_type", String(16), nullable=False),
    Column("settled_at_us", BigInteger),
)

score_adjustments = Table(
    "score_adjustments",
    metadata,
    Column("adjustment_id", String(200), primary_key=True),
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("kind", String(32), nullable=False),  # negative_service, brushing, …
    Column("at_us", BigInteger, nullable=False),
)

# Daily score history: one row per merchant and day, with the explanation behind it.
merchant_scores = Table(
    "merchant_scores",
    metadata,
    Column("merchant_id", String(128), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("pack", String(64), nullable=False),
    Column("pack_version", String(64), nullable=False),
    Column("engine", String(16), nullable=False),
    Column("stage", String(8), nullable=False),
    Column("score", Text, nullable=False),  # a decimal, exact
    Column("explanation", Text, nullable=False),
)

# Each merchant's privileges as last evaluated (daily), with the conditions that decided them.
merchant_privileges = Table(
    "merchant_privileges",
    metadata,
    Column("merchant_id", String(128), primary_key=True),
    Column("privilege", String(64), primary_key=True),
    Column("granted", Integer, nullable=False),
    Column("since_day", String(10), nullable=False),
    Column("reasons", Text, nullable=False),
)

# ------------------------------------------------------------------ instant refunds (anxin.refunds)

# Every instant-refund decision, live or shadow (a candidate pack or model deciding beside the
# live one: stored, never executed). The id is derived from the request and the versions.
refund_decisions = Table(
    "refund_decisions",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column("aftersale_id", String(128), nullable=False, index=True),
    Column("order_id", String(128), nullable=False),
    Column("consumer_id", String(128), nullable=False),
    Column("decided_at_us", BigInteger, nullable=False),
    Column("requested_at_us", BigInteger, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("refund_at", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("score", Text),  # the model's abuse probability as text (exact, portable), or NULL
    Column("pack", String(64), nullable=False),
    Column("pack_version", String(64), nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("shadow", Integer, nullable=False),  # 1: a candidate's decision, never executed
    Column("explanation", Text, nullable=False),  # rules hit, top features, inputs
)

# The consumer history read model: one row per consumer, address, merchant or category
# (``key`` = "consumer:C1", "address:…", "merchant:M1", "category:…"), its dated facts as
# msgpack, rebuilt from the event log by ``anxin refunds project``: a decision reads a few
# primary keys instead of scanning events.
refund_history = Table(
    "refund_history",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("body", LargeBinary, nullable=False),
    Column("through_seq", BigInteger, nullable=False),  # the last event folded in
)

# Enforcement (issue 13). A violation is one merchant breaking one rule on one day (or week):
# ``violation_id`` derives from (merchant, type, tier, period), so a re-run records it once.
violations = Table(
    "violations",
    metadata,
    Column("violation_id", String(200), primary_key=True),
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("type", String(40), nullable=False),  # malicious_non_delivery, false_inventory, …
    Column("tier", String(40), nullable=False),  # the rule's tier that was met ("" if one)
    Column("day", String(10), nullable=False),  # local date the facts belong to (week: Monday)
    Column("nth", Integer, nullable=False),  # its number in the counting period (the rung)
    Column("period", String(20), nullable=False),  # the counting period, e.g. "2026", "2026Q3"
    Column("status", String(12), nullable=False),  # active | reverted (an upheld appeal)
    Column("noticed_at_us", BigInteger, nullable=False),
    Column("appeal_by_us", BigInteger, nullable=False),  # last instant to file an appeal
    Column("pack", String(64), nullable=False),
    Column("pack_version", String(64), nullable=False),
    Column("explanation", Text, nullable=False),  # JSON: rule id, facts, thresholds, wording
)

# What a violation's rung imposes. ``ends_at_us`` NULL: until lifted (cured) or for good.
measures = Table(
    "measures",
    metadata,
    Column("measure_id", String(240), primary_key=True),
    Column("violation_id", String(200), nullable=False, index=True),
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("kind", String(32), nullable=False),  # warning, deposit_deduction, presale_off, …
    Column("starts_at_us", BigInteger, nullable=False),
    Column("ends_at_us", BigInteger),
    Column("lift", String(12), nullable=False),  # expiry | cured | never | once
    Column("amount", BigInteger),  # minor units (deduction, freeze) or orders/day (cap)
    Column("currency", String(3)),
    Column("status", String(12), nullable=False),  # active | lifted | reverted
    Column("lifted_at_us", BigInteger),
    Column("explanation", Text, nullable=False),
)

appeals = Table(
    "appeals",
    metadata,
    Column("appeal_id", String(240), primary_key=True),
    Column("violation_id", String(200), nullable=False, index=True),
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("filed_at_us", BigInteger, nullable=False),
    Column("decide_by_us", BigInteger, nullable=False),  # 5 working days (pack) after filing
    Column("status", String(12), nullable=False),  # filed | upheld | rejected
    Column("reason", Text, nullable=False),
    Column("decided_at_us", BigInteger),
    Column("decided_by", String(128)),
    Column("decision", Text),
)

# 整改: a merchant below the pack's band, or under a measure, fixes named indicators by a date.
rectification_plans = Table(
    "rectification_plans",
    metadata,
    Column("plan_id", String(240), primary_key=True),
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("opened_day", String(10), nullable=False),
    Column("deadline_day", String(10), nullable=False),
    Column("cause", String(200), nullable=False),  # a violation id, or "score:<day>"
    Column("status", String(12), nullable=False),  # open | completed | failed
    Column("targets", Text, nullable=False),  # JSON: indicator → {op, value, baseline}
    Column("progress", Text, nullable=False),  # JSON: day → indicator → value
    Column("closed_day", String(10)),
)

# Customer service (issue 14): conversations and complaint tickets as ``anxin service run``
# last judged them (upserted each run), the platform's escalation queue (a row is written once;
# only resolving it changes it) and the merchants' automatic-answer opt-ins.
service_conversations = Table(
    "service_conversations",
    metadata,
    Column("conversation_id", String(128), primary_key=True),
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("consumer_id", String(128), nullable=False),
    Column("order_id", String(128)),
    Column("started_at_us", BigInteger, nullable=False),
    Column("rounds", Integer, nullable=False),
    Column("first_response_seconds", BigInteger),  # service time; NULL: not answered yet
    Column("status", String(12), nullable=False),  # waiting | answered
    Column("stars", Integer),
    Column("missed", Integer, nullable=False),  # reply SLAs missed
    Column("slas", Text, nullable=False),  # JSON: each round's applied SLA
    Column("judged_at_us", BigInteger, nullable=False),
)

service_tickets = Table(
    "service_tickets",
    metadata,
    Column("ticket_id", String(128), primary_key=True),  # the complaint's id
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("consumer_id", String(128), nullable=False),
    Column("order_id", String(128)),
    Column("topic", String(200), nullable=False),
    Column("filed_at_us", BigInteger, nullable=False),
    Column("due_at_us", BigInteger, nullable=False),
    Column("responded_at_us", BigInteger),
    Column("response_via", String(12)),  # chat | aftersale
    Column("response_ref", String(200)),  # the message's or the after-sales case's id
    Column("sla_status", String(8), nullable=False),  # active | hit | missed
    Column("judged_at_us", BigInteger, nullable=False),
)

service_escalations = Table(
    "service_escalations",
    metadata,
    Column("escalation_id", String(160), primary_key=True),  # "conversation:<id>", "ticket:<id>"
    Column("subject", String(16), nullable=False),
    Column("subject_id", String(128), nullable=False),
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("consumer_id", String(128), nullable=False),
    Column("order_id", String(128)),
    Column("reason", String(40), nullable=False),
    Column("rule_ids", Text, nullable=False),  # JSON list
    Column("escalated_at_us", BigInteger, nullable=False),
    Column("due_at_us", BigInteger, nullable=False, index=True),
    Column("status", String(12), nullable=False),  # open | resolved
    Column("pack", String(64), nullable=False),
    Column("pack_version", String(64), nullable=False),
    Column("resolved_at_us", BigInteger),
    Column("resolved_by", String(128)),
    Column("resolution", Text),
)

service_auto_answer = Table(
    "service_auto_answer",
    metadata,
    Column("merchant_id", String(128), primary_key=True),
    Column("enabled", Integer, nullable=False),
    Column("updated_at_us", BigInteger, nullable=False),
    Column("updated_by", String(128), nullable=False),
)

# ------------------------------------------------------------------ listing screening (issue 15)

# The latest verdict on each listing, as `anxin screen run` last judged it.
listing_verdicts = Table(
    "listing_verdicts",
    metadata,
    Column("listing_id", String(128), primary_key=True),
    Column("merchant_id", String(128), nullable=False, index=True),
    Column("fingerprint", String(32), nullable=False),  # what was screened (text, price, attrs)
    Column("verdict", String(16), nullable=False),  # pass | needs_changes | intercept
    Column("hits", Text, nullable=False),  # JSON
    Column("decided_by", String(16), nullable=False),  # rules | reviewer
    Column("pack", String(64), nullable=False),
    Column("pack_version", String(64), nullable=False),
    Column("screened_at_us", BigInteger, nullable=False),
)

# The human review queue: listings that need changes, for a reviewer's decision (a label).
screening_reviews = Table(
    "screening_reviews",
    metadata,
    Column("review_id", String(200), primary_key=True),  # "<listing>:<fingerprint>"
    Column("listing_id", String(128), nullable=False, index=True),
    Column("merchant_id", String(128), nullable=False),
    Column("title", Text, nullable=False),
    Column("category", String(200), nullable=False),
    Column("suggested", String(16), nullable=False),  # the rules' verdict
    Column("hits", Text, nullable=False),  # JSON
    Column("status", String(12), nullable=False),  # open | decided
    Column("decision", String(16)),
    Column("reason", Text),
    Column("reviewer", String(128)),
    Column("created_at_us", BigInteger, nullable=False),
    Column("decided_at_us", BigInteger),
    Index("ix_screening_reviews_queue", "status", "created_at_us"),
)
