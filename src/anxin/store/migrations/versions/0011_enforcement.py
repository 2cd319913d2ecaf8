"""enforcement: violations, measures, appeals, rectification plans

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_S = sa.String
_B = sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "violations",
        sa.Column("violation_id", _S(200), primary_key=True),
        sa.Column("merchant_id", _S(128), nullable=False),
        sa.Column("type", _S(40), nullable=False),
        sa.Column("tier", _S(40), nullable=False),
        sa.Column("day", _S(10), nullable=False),
        sa.Column("nth", sa.Integer(), nullable=False),
        sa.Column("period", _S(20), nullable=False),
        sa.Column("status", _S(12), nullable=False),
        sa.Column("noticed_at_us", _B(), nullable=False),
        sa.Column("appeal_by_us", _B(), nullable=False),
        sa.Column("pack", _S(64), nullable=False),
        sa.Column("pack_version", _S(64), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
    )
    op.create_index("ix_violations_merchant_id", "violations", ["merchant_id"])
    op.create_table(
        "measures",
        sa.Column("measure_id", _S(240), primary_key=True),
        sa.Column("violation_id", _S(200), nullable=False),
        sa.Column("merchant_id", _S(128), nullable=False),
        sa.Column("kind", _S(32), nullable=False),
        sa.Column("starts_at_us", _B(), nullable=False),
        sa.Column("ends_at_us", _B(), nullable=True),
        sa.Column("lift", _S(12), nullable=False),
        sa.Column("amount", _B(), nullable=True),
        sa.Column("currency", _S(3), nullable=True),
        sa.Column("status", _S(12), nullable=False),
        sa.Column("lifted_at_us", _B(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
    )
    op.create_index("ix_measures_violation_id", "measures", ["violation_id"])
    op.create_index("ix_measures_merchant_id", "measures", ["merchant_id"])
    op.create_table(
        "appeals",
        sa.Column("appeal_id", _S(240), primary_key=True),
        sa.Column("violation_id", _S(200), nullable=False),
        sa.Column("merchant_id", _S(128), nullable=False),
        sa.Column("filed_at_us", _B(), nullable=False),
        sa.Column("decide_by_us", _B(), nullable=False),
        sa.Column("status", _S(12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at_us", _B(), nullable=True),
        sa.Column("decided_by", _S(128), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
    )
    op.create_index("ix_appeals_violation_id", "appeals", ["violation_id"])
    op.create_index("ix_appeals_merchant_id", "appeals", ["merchant_id"])
    op.create_table(
        "rectification_plans",
        sa.Column("plan_id", _S(240), primary_key=True),
        sa.Column("merchant_id", _S(128), nullable=False),
        sa.Column("opened_day", _S(10), nullable=False),
        sa.Column("deadline_day", _S(10), nullable=False),
        sa.Column("cause", _S(200), nullable=False),
        sa.Column("status", _S(12), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("closed_day", _S(10), nullable=True),
    )
    op.create_index("ix_rectification_plans_merchant_id", "rectification_plans", ["merchant_id"])


def downgrade() -> None:
    op.drop_table("rectification_plans")
    op.drop_table("appeals")
    op.drop_table("measures")
    op.drop_table("violations")
