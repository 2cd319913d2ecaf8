"""Alembic environment: runs against the engine handed over by anxin.store.migrate."""

from __future__ import annotations

from alembic import context

from anxin.store.schema import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
