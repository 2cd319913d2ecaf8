"""The composition root: the one place that wires anxin's capabilities over engine and store.

Every edge (CLI, HTTP API, demo, importers, benchmarks) builds what it needs here, so which
rules run, which pack sections are valid and how a store is opened are decided once. Capability
packages export their parts as plain values (``RULES``, ``SCHEMAS``); nothing registers itself
on import, and ``anxin.policy`` imports no capability.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec
import sqlalchemy as sa

from anxin import aftersales, enforcement, refunds, score
from anxin.aftersales.rights import RIGHTS_RULES, RIGHTS_SCHEMAS
from anxin.clock import Clock, SystemClock
from anxin.domain import kpis
from anxin.enforcement import presale
from anxin.engine.ports import Store
from anxin.engine.processor import Engine
from anxin.engine.rule import OrderRule
from anxin.guarantees import rules as guarantee_rules
from anxin.policy.pack import PolicyBook, load_book
from anxin.refunds import rule as refund_recovery
from anxin.screening import config as screening
from anxin.screening import feedback as screening_feedback
from anxin.service import findings as service_findings
from anxin.service import proactive as service_proactive
from anxin.service import sla as service_sla


class StoreMissing(LookupError):
    """A read-only command was pointed at a store that does not exist (it never creates one)."""


def rule_schemas() -> Mapping[str, type[msgspec.Struct]]:
    """Every ``rules.<id>`` section a pack may carry, from every capability."""
    return {
        **guarantee_rules.SCHEMAS,
        **score.SCHEMAS,
        **kpis.SCHEMAS,
        **aftersales.SCHEMAS,
        **RIGHTS_SCHEMAS,
        **refunds.SCHEMAS,
        **enforcement.SCHEMAS,
        **service_sla.SCHEMAS,
        **service_findings.SCHEMAS,
        **service_proactive.SCHEMAS,
        **screening.SCHEMAS,
        **screening_feedback.SCHEMAS,
    }


def order_rules() -> Sequence[OrderRule]:
    """The rules the engine runs on each order, in the order they run: the guarantees, the
    after-sales rights, the after-sales flows (after those: they read what the others decided,
    never the other way round), the recovery of refunds paid before their return came, then the
    presale gate (it judges the placement alone)."""
    return (
        *guarantee_rules.RULES,
        *RIGHTS_RULES,
        *aftersales.RULES,
        *refund_recovery.RULES,
        *presale.RULES,
    )


def load_policy(pack: str | Path) -> PolicyBook:
    """A policy book by built-in name (``douyin``) or path, validated against every schema."""
    return load_book(pack, rule_schemas())


def build_engine(
    store: Store,
    book: PolicyBook,
    clock: Clock | None = None,
    *,
    rules: Sequence[OrderRule] | None = None,
) -> Engine:
    """The engine over ``store``; ``rules`` overrides the root's choice (a benchmark of the
    spine alone passes none)."""
    chosen = order_rules() if rules is None else rules
    return Engine(store, book, clock or SystemClock(), rules=chosen)


def open_store(db: str | None = None, *, create: bool = True) -> sa.Engine:
    """The SQL store named by ``db`` (``--db`` / ``ANXIN_DB`` / ``./anxin.db``), migrated to head.

    ``create=False`` is for read-only commands: a SQLite file that does not exist is refused
    (``StoreMissing``) instead of being created empty, so a wrong path is an error, not an
    empty answer."""
    from anxin.store.database import make_engine, resolve_url
    from anxin.store.migrate import ensure_schema

    url = sa.make_url(resolve_url(db))
    if (
        not create
        and url.get_backend_name() == "sqlite"
        and url.database not in (None, "", ":memory:")
    ):
        path = Path(url.database or "")
        if not path.exists():
            raise StoreMissing(
                f"no store at {path} (set --db or ANXIN_DB to the store you ingested into; "
                "`make demo` writes var/demo/anxin-demo.db)"
            )
    sql = make_engine(db)
    ensure_schema(sql)
    return sql


@dataclass(frozen=True)
class Application:
    """An engine over a SQL store with its policy book: what an edge works with."""

    sql: sa.Engine
    book: PolicyBook
    engine: Engine


def open_application(
    db: str | None = None,
    pack: str | Path = "douyin",
    clock: Clock | None = None,
    *,
    create: bool = True,
) -> Application:
    from anxin.store.sql import SqlStore

    sql = open_store(db, create=create)
    book = load_policy(pack)
    return Application(sql, book, build_engine(SqlStore(sql), book, clock))
