from __future__ import annotations

import sqlalchemy as sa

from anxin.store import leases

S = 1_000_000


def test_one_holder_until_expiry_then_the_next(sql_engine: sa.Engine) -> None:
    assert leases.acquire(sql_engine, "scheduler", "a", 0, 10 * S)
    assert not leases.acquire(sql_engine, "scheduler", "b", 5 * S, 10 * S)
    assert leases.acquire(sql_engine, "scheduler", "a", 5 * S, 10 * S)  # renewed: until 15 s
    assert not leases.acquire(sql_engine, "scheduler", "b", 14 * S, 10 * S)
    assert leases.holder(sql_engine, "scheduler") == ("a", 15 * S)
    assert leases.acquire(sql_engine, "scheduler", "b", 15 * S, 10 * S)  # a stopped renewing
    assert not leases.acquire(sql_engine, "scheduler", "a", 16 * S, 10 * S)
    assert leases.acquire(sql_engine, "other", "a", 16 * S, 10 * S)  # leases are by name


def test_release_frees_it_for_a_successor(sql_engine: sa.Engine) -> None:
    assert leases.acquire(sql_engine, "scheduler", "a", 0, 10 * S)
    assert not leases.release(sql_engine, "scheduler", "b")
    assert leases.release(sql_engine, "scheduler", "a")
    assert leases.acquire(sql_engine, "scheduler", "b", 1 * S, 10 * S)
    assert leases.holder(sql_engine, "scheduler") == ("b", 11 * S)
