"""Schema migrations (Alembic), run from code so ``anxin db upgrade`` needs no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


# The PostgreSQL advisory lock of migrations: one per schema, as each is a store.
_MIGRATIONS_LOCK = "1634629741, hashtext(coalesce(current_schema(), ''))"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate in one transaction that first takes a lock only one process holds at a time
    (SQLite: the database's exclusive lock; PostgreSQL: an advisory lock), so processes
    starting together on an empty store do not race to create it: the later ones wait, then
    Alembic, reading the version under the lock, finds nothing left to do."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATIONS_LOCK})")
        config = alembic_config(engine)
        config.attributes["connection"] = conn  # env.py migrates on it, inside the lock
        command.upgrade(config, revision)
        conn.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def ensure_schema(engine: Engine) -> None:
    """Upgrade when the store is behind head (cheap check first: most calls find it current)."""
    if current_revision(engine) != head_revision(engine):
        upgrade(engine)
