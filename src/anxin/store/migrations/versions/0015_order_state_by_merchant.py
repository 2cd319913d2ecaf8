"""index order_state by merchant (the pages read a shop's orders, its clocks and its list)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 18:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_order_state_merchant_id", "order_state", ["merchant_id"])


def downgrade() -> None:
    op.drop_index("ix_order_state_merchant_id", table_name="order_state")
