"""Alembic environment: runs against the engine handed over by anxin.store.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from anxin.store.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


# anxin.store.migrate.upgrade hands over a connection holding the migration lock, in a
# transaction it commits itself; other callers (alembic's own commands) get one of their own.
held = context.config.attributes.get("connection")
if held is not None:
    _run(held)
else:
    with context.config.attributes["engine"].begin() as connection:
        _run(connection)
