"""key scopes and link tokens: a merchant or consumer key names its party; a link token opens
one order's guarantee hall

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.add_column(sa.Column("merchant_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("consumer_id", sa.String(length=128), nullable=True))
    op.create_table(
        "link_tokens",
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at_us", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("revoked_at_us", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("token_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_link_tokens_order_id", "link_tokens", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_link_tokens_order_id", table_name="link_tokens")
    op.drop_table("link_tokens")
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.drop_column("consumer_id")
        batch_op.drop_column("merchant_id")
