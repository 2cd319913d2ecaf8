"""parcels shared by orders, trace fingerprints, shared payout caps

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One tracking number, several orders: the order joins the primary key (a new table, copied,
    # reads the same on SQLite and PostgreSQL).
    _parcels("parcels_v2", ["carrier", "tracking_number", "order_id"], with_time=True)
    op.execute(
        "INSERT INTO parcels_v2 (carrier, tracking_number, order_id, shipment_id, "
        "registered_at_us) SELECT carrier, tracking_number, order_id, shipment_id, 0 FROM parcels"
    )
    op.drop_table("parcels")
    op.rename_table("parcels_v2", "parcels")
    op.create_table(
        "trace_prints",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("consumer_id", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("fingerprint"),
    )
    op.create_table(
        "payout_caps",
        sa.Column("cap_key", sa.String(length=300), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("cap_key"),
    )


def downgrade() -> None:
    op.drop_table("payout_caps")
    op.drop_table("trace_prints")
    _parcels("parcels_v1", ["carrier", "tracking_number"], with_time=False)
    op.execute(
        "INSERT INTO parcels_v1 (carrier, tracking_number, order_id, shipment_id) "
        "SELECT carrier, tracking_number, min(order_id), min(shipment_id) FROM parcels "
        "GROUP BY carrier, tracking_number"
    )
    op.drop_table("parcels")
    op.rename_table("parcels_v1", "parcels")


def _parcels(name: str, key: list[str], *, with_time: bool) -> None:
    columns: list[sa.Column[object]] = [
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("shipment_id", sa.String(length=128), nullable=False),
    ]
    if with_time:
        columns.append(
            sa.Column("registered_at_us", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_table(name, *columns, sa.PrimaryKeyConstraint(*key))
