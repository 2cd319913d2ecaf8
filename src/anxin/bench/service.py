"""``anxin bench service``: a suggested reply in process, beside a bare read of the same order.

A small simulated world (tiny preset, seeded) is ingested into a fresh SQLite store (not
timed). Then, in the same run, for ``n`` orders drawn from it, each timed on its own:
- the suggestion: the order's guarantee hall (state, decisions, payouts, every right's clock)
  and the reply filled with its facts (``anxin.service.replies.suggest``): ``p50_ms``,
  ``p99_ms``;
- the bare read of the order's state row, the least any answer about an order costs:
  ``bare_p99_ms``; ``ratio`` = suggestion p99 ÷ bare p99.
One JSON line. Target: p99 ≤ 20 ms.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa

from anxin.application import build_engine, load_policy, open_store, order_rules
from anxin.clock import FixedClock
from anxin.guarantees.hall import load_hall
from anxin.service.replies import suggest
from anxin.sim.params import preset
from anxin.sim.run import simulate
from anxin.store import schema as t
from anxin.store.sql import SqlStore

INTENTS = ("where_is_my_parcel", "delivery_time", "refund", "return", "cancel", "complaint")


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(n: int = 2_000, seed: int = 7) -> dict[str, Any]:
    params = preset("tiny", seed=seed)
    events, truth = io.BytesIO(), io.BytesIO()
    summary = simulate(params, events, truth)
    assert summary.last_event_at is not None
    now = summary.last_event_at + dt.timedelta(days=1)
    book = load_policy(params.pack)
    rules = order_rules()
    zone = book.latest.calendar.zone
    with tempfile.TemporaryDirectory(prefix="anxin-bench-service-") as root:
        db = Path(root) / "anxin.db"
        events_path = Path(root) / "events.jsonl"
        events_path.write_bytes(events.getvalue())
        sql = open_store(str(db))
        from anxin.engine.files import ingest_file

        engine = build_engine(SqlStore(sql), book, FixedClock(now))
        ingest_file(engine, events_path, batch_size=20_000)
        engine.tick(now)
        with sql.connect() as conn:
            orders = [r[0] for r in conn.execute(sa.select(t.order_state.c.order_id))]
        rng = random.Random(seed)
        picks = [(rng.choice(orders), rng.choice(INTENTS), rng.choice(("zh", "en")))
                 for _ in range(n)]  # fmt: skip
        bare: list[float] = []
        timed: list[float] = []
        query = sa.select(t.order_state.c.state).where(
            t.order_state.c.order_id == sa.bindparam("o")
        )
        for order_id, intent, lang in picks:
            started = time.perf_counter()
            with sql.connect() as conn:
                conn.execute(query, {"o": order_id}).scalar_one()
            bare.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            hall = load_hall(sql, order_id, book, now, rules)
            suggest(hall, intent, lang, zone)  # type: ignore[arg-type]
            timed.append((time.perf_counter() - started) * 1000)
        sql.dispose()
    p99, bare99 = _p(timed, 0.99), _p(bare, 0.99)
    return {"bench": "service", "db": "sqlite", "orders": len(orders), "suggestions": n,
            "p50_ms": round(_p(timed, 0.5), 3), "p99_ms": round(p99, 3),
            "bare_p50_ms": round(_p(bare, 0.5), 3), "bare_p99_ms": round(bare99, 3),
            "ratio": round(p99 / bare99, 2) if bare99 else None}  # fmt: skip


@click.command("service")
@click.option("--suggestions", default=2_000, show_default=True)
@click.option("--seed", default=7, show_default=True)
def bench_service(suggestions: int, seed: int) -> None:
    """Suggested replies in process (the order's hall + the filled template): p50/p99 beside a
    bare read of the same order; one JSON line."""
    import json

    click.echo(json.dumps(run(suggestions, seed)))
