"""index chat messages by conversation (the portal's answer page reads a conversation's lines)

A partial index: only ``chat.message`` rows enter it, so ingesting any other event costs
nothing more.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 18:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CHAT = sa.text("type = 'chat.message'")


def upgrade() -> None:
    op.create_index("ix_events_chat", "events", ["partition_key"], sqlite_where=CHAT,
                    postgresql_where=CHAT)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_events_chat", table_name="events")
