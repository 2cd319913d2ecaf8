"""index the outbox by aggregate and topic (an order's hall reads its proactive messages)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_aggregate_topic", "outbox", ["aggregate_key", "topic"])


def downgrade() -> None:
    op.drop_index("ix_outbox_aggregate_topic", table_name="outbox")
