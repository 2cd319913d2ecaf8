"""index only pending deadlines, in firing order

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 17:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_due")
        batch_op.create_index(
            "ix_deadlines_pending",
            ["due_at_us", "deadline_id"],
            unique=False,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_pending")
        batch_op.create_index("ix_deadlines_due", ["status", "due_at_us"], unique=False)
