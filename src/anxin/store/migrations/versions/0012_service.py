"""service: conversations, complaint tickets, the escalation queue, auto-answer opt-ins

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_S = sa.String
_B = sa.BigInteger
_I = sa.Integer


def upgrade() -> None:
    op.create_table(
        "service_conversations",
        sa.Column("conversation_id", _S(128), primary_key=True),
        sa.Column("merchant_id", _S(128), nullable=False),
        sa.Column("consumer_id", _S(128), nullable=False),
        sa.Column("order_id", _S(128), nullable=True),
        sa.Column("started_at_us", _B(), nullable=False),
        sa.Column("rounds", _I(), nullable=False),
        sa.Column("first_response_seconds", _B(), nullable=True),
        sa.Column("status", _S(12), nullable=False),
        sa.Column("stars", _I(), nullable=True),
        sa.Column("missed", _I(), nullable=False),
        sa.Column("slas", sa.Text(), nullable=False),
        sa.Column("judged_at_us", _B(), nullable=False),
    )
    op.create_index(
        "ix_service_conversations_merchant_id", "service_conversations", ["merchant_id"]
    )
    op.create_table(
        "service_tickets",
        sa.Column("ticket_id", _S(128), primary_key=True),
        sa.Column("merchant_id", _S(128), nullable=False),
        sa.Column("consumer_id", _S(128), nullable=False),
        sa.Column("order_id", _S(128), nullable=True),
        sa.Column("topic", _S(200), nullable=False),
        sa.Column("filed_at_us", _B(), nullable=False),
        sa.Column("due_at_us", _B(), nullable=False),
        sa.Column("responded_at_us", _B(), nullable=True),
        sa.Column("response_via", _S(12), nullable=True),
        sa.Column("response_ref", _S(200), nullable=True),
        sa.Column("sla_status", _S(8), nullable=False),
        sa.Column("judged_at_us", _B(), nullable=False),
    )
    op.create_index("ix_service_tickets_merchant_id", "service_tickets", ["merchant_id"])
    op.create_table(
        "service_escalations",
        sa.Column("escalation_id", _S(160), primary_key=True),
        sa.Column("subject", _S(16), nullable=False),
        sa.Column("subject_id", _S(128), nullable=False),
        sa.Column("merchant_id", _S(128), nullable=False),
        sa.Column("consumer_id", _S(128), nullable=False),
        sa.Column("order_id", _S(128), nullable=True),
        sa.Column("reason", _S(40), nullable=False),
        sa.Column("rule_ids", sa.Text(), nullable=False),
        sa.Column("escalated_at_us", _B(), nullable=False),
        sa.Column("due_at_us", _B(), nullable=False),
        sa.Column("status", _S(12), nullable=False),
        sa.Column("pack", _S(64), nullable=False),
        sa.Column("pack_version", _S(64), nullable=False),
        sa.Column("resolved_at_us", _B(), nullable=True),
        sa.Column("resolved_by", _S(128), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
    )
    op.create_index("ix_service_escalations_merchant_id", "service_escalations", ["merchant_id"])
    op.create_index("ix_service_escalations_due_at_us", "service_escalations", ["due_at_us"])
    op.create_table(
        "service_auto_answer",
        sa.Column("merchant_id", _S(128), primary_key=True),
        sa.Column("enabled", _I(), nullable=False),
        sa.Column("updated_at_us", _B(), nullable=False),
        sa.Column("updated_by", _S(128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("service_auto_answer")
    op.drop_table("service_escalations")
    op.drop_table("service_tickets")
    op.drop_table("service_conversations")
