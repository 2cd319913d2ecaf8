"""Shared fixtures: a migrated store on SQLite and on PostgreSQL, the douyin book, a clock.

``db_url`` is parametrized over both backends, so every test that takes it runs twice. The
PostgreSQL URL comes from ``ANXIN_TEST_PG_URL`` (``make test`` starts a throw-away cluster);
each test gets its own schema. Under CI a missing PostgreSQL is an error, not a skip, and so
is missing shared data (``ANXIN_DATA``, see ``anxin.data``).

Hypothesis runs without its 200 ms deadline: the properties here build calendars, ledgers and
engines whose time varies with the machine's load, so a deadline only measures the load.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

from anxin.application import load_policy, order_rules
from anxin.clock import FixedClock
from anxin.data import data_root, missing_data_message
from anxin.engine.processor import Engine
from anxin.policy.pack import PolicyBook
from anxin.store.database import make_engine, resolve_url
from anxin.store.migrate import upgrade
from anxin.store.sql import SqlStore

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
PG_URL = os.environ.get("ANXIN_TEST_PG_URL")

settings.register_profile("anxin", deadline=None)
settings.load_profile("anxin")


def shared_data(what: str, *names: str) -> list[Path]:
    """Paths under ``ANXIN_DATA``; missing ones skip the test, or fail it under CI (which must
    provide the data: a skip there would hide a test that never ran)."""
    paths = [data_root() / name for name in names]
    missing = [p for p in paths if not p.exists()]
    if missing:
        message = missing_data_message(what, missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return paths


@pytest.fixture(scope="session")
def olist_4k() -> tuple[Path, Path]:
    """(export directory, sellers file) of the real 4,000-order Olist sample."""
    orders, sellers = shared_data(
        "Olist sample data",
        "olist_sample_4k/olist_orders_dataset.csv",
        "olist_sellers_products/olist_sellers_dataset.csv",
    )
    return orders.parent, sellers


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """karrio's carrier tracking fixtures (LGPL test data, never copied into the repository)."""
    (index,) = shared_data("carrier tracking fixtures", "carrier_tracking_fixtures/INDEX.csv")
    return index.parent


def _pg_schema_url(schema: str) -> str:
    assert PG_URL is not None
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def _new_pg_schema() -> str:
    """A fresh, empty schema on the test PostgreSQL (skipped locally without one, an error in
    CI); returns its name."""
    if PG_URL is None:
        if os.environ.get("CI"):
            pytest.fail("ANXIN_TEST_PG_URL is not set: CI must test PostgreSQL")
        pytest.skip("PostgreSQL not available (set ANXIN_TEST_PG_URL or run `make test`)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(resolve_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return schema


def _drop_pg_schemas(schemas: list[str]) -> None:
    if schemas:
        admin = sa.create_engine(resolve_url(PG_URL or ""))
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def new_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """A factory of fresh, empty databases; every test using it runs on both backends."""
    backend = request.param
    created: list[str] = []

    def make(name: str = "anxin") -> str:
        if backend == "sqlite":
            return str(tmp_path / f"{name}-{uuid.uuid4().hex[:6]}.db")
        created.append(_new_pg_schema())
        return _pg_schema_url(created[-1])

    yield make
    _drop_pg_schemas(created)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """One fresh PostgreSQL schema, for a test that runs on PostgreSQL only (empty: the test
    migrates it, or lets the process under test do so)."""
    schema = _new_pg_schema()
    yield _pg_schema_url(schema)
    _drop_pg_schemas([schema])


@pytest.fixture
def db_url(new_db_url: object) -> str:
    url: str = new_db_url()  # type: ignore[operator]
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def book() -> PolicyBook:
    return load_policy("douyin")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def sql_engine(db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(sql_engine: sa.Engine, book: PolicyBook, clock: FixedClock) -> Engine:
    return Engine(SqlStore(sql_engine), book, clock, rules=order_rules())
