"""listing screening: the latest verdict per listing and the human review queue

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_S = sa.String
_B = sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "listing_verdicts",
        sa.Column("listing_id", _S(128), primary_key=True),
        sa.Column("merchant_id", _S(128), nullable=False),
        sa.Column("fingerprint", _S(32), nullable=False),
        sa.Column("verdict", _S(16), nullable=False),
        sa.Column("hits", sa.Text(), nullable=False),
        sa.Column("decided_by", _S(16), nullable=False),
        sa.Column("pack", _S(64), nullable=False),
        sa.Column("pack_version", _S(64), nullable=False),
        sa.Column("screened_at_us", _B(), nullable=False),
    )
    op.create_index("ix_listing_verdicts_merchant_id", "listing_verdicts", ["merchant_id"])
    op.create_table(
        "screening_reviews",
        sa.Column("review_id", _S(200), primary_key=True),
        sa.Column("listing_id", _S(128), nullable=False),
        sa.Column("merchant_id", _S(128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("category", _S(200), nullable=False),
        sa.Column("suggested", _S(16), nullable=False),
        sa.Column("hits", sa.Text(), nullable=False),
        sa.Column("status", _S(12), nullable=False),
        sa.Column("decision", _S(16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reviewer", _S(128), nullable=True),
        sa.Column("created_at_us", _B(), nullable=False),
        sa.Column("decided_at_us", _B(), nullable=True),
    )
    op.create_index("ix_screening_reviews_listing_id", "screening_reviews", ["listing_id"])
    op.create_index("ix_screening_reviews_queue", "screening_reviews", ["status", "created_at_us"])


def downgrade() -> None:
    op.drop_table("screening_reviews")
    op.drop_table("listing_verdicts")
