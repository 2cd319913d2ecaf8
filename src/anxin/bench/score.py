"""``anxin bench score``: the score's per-merchant sums on DuckDB, against one hand-written query.

Data generation (not timed): a seeded, vectorised generator writes ``score_orders.parquet`` and
``score_chats.parquet`` with the columns and types of ``anxin export parquet`` (integers int64,
strings string) into a temporary directory: ~60 days of payments before ``as_of``, per-merchant
order counts skewed (log-normal weights), pickups 2–100 h after the clock start with some never
picked up, deliveries, ratings on ~30 % of signed orders, first after-sales on ~8 %, ~1 chat per
20 orders. Some events fall after ``as_of`` so the window filters matter.

Timed, each path ``runs`` times alternately on a fresh in-memory DuckDB, best run reported:
- anxin: ``metrics.order_sums`` + ``metrics.chat_sums`` (Ibis) over ``read_parquet`` views,
  collected with ``metrics.collect`` and merged into {merchant: {column: int}};
- baseline: ONE hand-written DuckDB SQL query of the same sums (orders ⋈ chats per merchant),
  fetched like ``metrics.collect`` (Arrow → ints). Both results must be identical (``equal``).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa

from anxin.clock import to_us
from anxin.score import metrics
from anxin.score.metrics import CHAT_COLUMNS, DAY_US, HOUR_US, ORDER_COLUMNS
from anxin.store import schema as t

AS_OF = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
HISTORY_DAYS = 60  # payments spread over this many days before as_of
LOCAL_OFFSET_US = 8 * HOUR_US  # Asia/Shanghai (no DST): the night clocks are local times
CHUNK = 1_000_000  # rows generated and written per Parquet row group
# The douyin pack's pickup ladder, used when the pack has no ``merchant_score`` section.
FALLBACK_LADDER: tuple[tuple[float, int], ...] = ((24, 100), (36, 90), (48, 80), (72, 70), (96, 60))
FALLBACK_WORST = 50
# The douyin pack's bad product rating (1-2★) and dissatisfied chat (1-3★), likewise.
FALLBACK_STARS = (2, 3)

Sums = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Pickup:
    ladder: list[tuple[float, int]]  # (up to hours, score), fastest first
    worst: int  # past the last rung
    anomaly: int  # a trajectory-anomaly or fraud-shipping payout


def pickup_ladder() -> Pickup:
    """The douyin pack's pickup table (``merchant_score`` rule), else the constants."""
    try:
        import anxin.score  # noqa: F401  (registers the rule's config type)
        from anxin.application import load_policy

        config: Any = load_policy("douyin").versions[-1].rule("merchant_score")
        steps = config.pickup.steps
        ladder = [(float(s.up_to_hours), int(s.score)) for s in steps if s.up_to_hours is not None]
        return Pickup(ladder, int(steps[-1].score), int(config.pickup.anomaly_or_fraud_score))
    except Exception:  # the section or its API may not exist (yet): the bench still runs
        return Pickup(list(FALLBACK_LADDER), FALLBACK_WORST, FALLBACK_WORST)


def star_lines() -> tuple[int, int]:
    """The douyin pack's (bad rating, dissatisfied chat) star lines, else the constants."""
    try:
        from anxin.application import load_policy

        config: Any = load_policy("douyin").versions[-1].rule("merchant_score")
        return int(config.bad_rating_max_stars), int(config.dissatisfied_chat_max_stars)
    except Exception:  # the section or its fields may not exist (yet): the bench still runs
        return FALLBACK_STARS


# ------------------------------------------------------------------ data generation


def arrow_schema(table: sa.Table) -> pa.Schema:
    """As ``anxin export parquet`` writes it: integers int64, everything else string."""

    def kind(column: sa.Column[Any]) -> pa.DataType:
        return pa.int64() if isinstance(column.type, sa.Integer) else pa.string()

    return pa.schema([pa.field(c.name, kind(c), nullable=True) for c in table.columns])


def _ids(prefix: str, start: int, stop: int) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(start, stop, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, numbers, "")


def _int(values: np.ndarray, present: np.ndarray | None = None) -> pa.Array:
    """An int64 column, NULL where ``present`` is False."""
    return pa.array(values.astype(np.int64), pa.int64(), mask=None if present is None else ~present)


def _night_shift(at: np.ndarray, night_start_h: int, night_end_h: int) -> np.ndarray:
    """Times in the local night [start, end) (wrapping midnight) move to the night's end."""
    tod = (at + LOCAL_OFFSET_US) % DAY_US
    start, end = night_start_h * HOUR_US, night_end_h * HOUR_US
    late = tod >= start  # before midnight: to tomorrow's end
    early = tod < end
    shifted = np.where(late, at + (DAY_US - tod) + end, at)
    return np.where(early, at + (end - tod), shifted)


def _order_chunk(
    rng: np.random.Generator, first: int, n: int, cdf: np.ndarray, names: pa.Array, as_of: int
) -> pa.Table:
    u = rng.random  # uniform draws, one array per decision
    merchant = np.searchsorted(cdf, u(n), side="right")
    paid = as_of - rng.integers(1, HISTORY_DAYS * DAY_US, n)
    pickup_start = _night_shift(paid, 18, 6)  # paid 18:00–06:00: the clock starts at 06:00
    cancelled = u(n) < 0.04
    cancelled_at = paid + (rng.exponential(6.0, n) * HOUR_US).astype(np.int64)
    shipped = ~cancelled & (u(n) < 0.97)  # the rest is never picked up
    pickup_hours = np.clip(2 + rng.gamma(2.0, 10.0, n), 2, 100)
    shipped_at = pickup_start + (pickup_hours * HOUR_US).astype(np.int64)
    unshipped_cancel = cancelled & ~shipped
    valid = ~unshipped_cancel & (u(n) >= 0.01)  # 1 %: below the floor amount or exempted
    anomaly = shipped & (u(n) < 0.005)
    due = shipped_at + np.where(u(n) < 0.4, 48, 72) * HOUR_US
    signed = shipped & (u(n) < 0.95)
    signed_at = shipped_at + ((6 + rng.gamma(2.5, 12.0, n)) * HOUR_US).astype(np.int64)
    has_deliver_by = u(n) < 0.6
    deliver_by = paid + 5 * DAY_US
    rated = signed & (u(n) < 0.30)
    rating = rng.choice(np.arange(1, 6), n, p=[0.04, 0.03, 0.08, 0.20, 0.65])
    rated_at = signed_at + rng.integers(HOUR_US, 10 * DAY_US, n)
    asked = u(n) < 0.08
    after_signing = signed_at + rng.integers(HOUR_US, 7 * DAY_US, n)
    aftersale_at = np.where(signed, after_signing, paid + rng.integers(0, 3 * DAY_US, n))
    reason = rng.choice(3, n, p=[0.45, 0.25, 0.30])  # quality, logistics, other
    review_start = _night_shift(aftersale_at, 23, 8)  # asked 23:00–08:00: starts at 08:00
    agreed = asked & (u(n) < 0.85)
    agreed_at = aftersale_at + (rng.exponential(10.0, n) * HOUR_US).astype(np.int64)
    claimed = has_deliver_by & (u(n) < 0.003)
    sought = asked | (u(n) < 0.02)
    columns = {
        "order_id": _ids("o", first, first + n),
        "merchant_id": names.take(pa.array(merchant)),
        "paid_at_us": _int(paid),
        "valid": _int(valid),
        "amount_paid": _int(np.round(rng.lognormal(np.log(8000), 1.0, n))),
        "cancelled_at_us": _int(cancelled_at, cancelled),
        "merchant_cancelled": _int(unshipped_cancel & (u(n) < 0.3)),
        "ship_by_us": _int(paid + 48 * HOUR_US),
        "shipped_at_us": _int(shipped_at, shipped),
        "pickup_start_us": _int(pickup_start),
        "tracked": _int(shipped & (u(n) < 0.98)),
        "anomaly_or_fraud": _int(anomaly),
        "logistics_finding": _int((u(n) < 0.02) | (asked & (reason == 1) & (u(n) < 0.4))),
        "signed_at_us": _int(signed_at, signed),
        "delivery_due_us": _int(due, shipped),
        "deliver_by_us": _int(deliver_by, has_deliver_by),
        "next_day_by_us": _int(paid - (paid % DAY_US) + 2 * DAY_US - 1),  # UTC days: fine here
        "remote": _int(u(n) < 0.03),
        "rating": _int(rating, rated),
        "rated_at_us": _int(rated_at, rated),
        "first_reason": pa.DictionaryArray.from_arrays(
            pa.array(reason, mask=~asked), pa.array(["quality", "logistics", "other"])
        ).cast(pa.string()),
        "aftersale_at_us": _int(aftersale_at, asked),
        "review_start_us": _int(review_start, asked),
        "agreed_at_us": _int(agreed_at, agreed),
        "claim_at_us": _int(deliver_by + rng.integers(0, 3 * DAY_US, n), claimed),
        "sought_help": _int(sought),
        "escalated": _int(sought & (u(n) < 0.1)),
    }
    return pa.table(columns, schema=arrow_schema(t.score_orders))


def _chat_chunk(
    rng: np.random.Generator, first: int, n: int, cdf: np.ndarray, names: pa.Array, as_of: int
) -> pa.Table:
    merchant = np.searchsorted(cdf, rng.random(n), side="right")
    started = as_of - rng.integers(1, HISTORY_DAYS * DAY_US, n)
    tod = (started + LOCAL_OFFSET_US) % DAY_US
    counted = (tod >= 8 * HOUR_US) & (tod < 23 * HOUR_US)  # the chat service window
    rounds = 1 + rng.poisson(2.0, n)
    unanswered = rng.binomial(rounds, 0.05)
    answered_seconds = rng.lognormal(np.log(40), 1.0, n) * (rounds - unanswered)
    rated = rng.random(n) < 0.25
    rating = rng.choice(np.arange(1, 6), n, p=[0.05, 0.05, 0.15, 0.25, 0.50])
    columns = {
        "conversation_id": _ids("c", first, first + n),
        "merchant_id": names.take(pa.array(merchant)),
        "started_at_us": _int(started),
        "counted": _int(counted),
        "rounds": _int(rounds),
        "response_seconds": _int(np.round(answered_seconds) + unanswered * 600),
        "rating": _int(rating, rated),
    }
    return pa.table(columns, schema=arrow_schema(t.score_chats))


def _write(
    path: Path,
    table: sa.Table,
    rows: int,
    make: Callable[[np.random.Generator, int, int], pa.Table],
    seed: Sequence[int],
    chunk: int,
) -> None:
    with pq.ParquetWriter(path, arrow_schema(table)) as writer:
        for i, first in enumerate(range(0, rows, chunk)):
            rng = np.random.default_rng([*seed, i])  # reproducible per (seed, chunk size)
            writer.write_table(make(rng, first, min(chunk, rows - first)), row_group_size=chunk)


def generate(
    directory: Path, orders: int, merchants: int, seed: int = 1, chunk: int = CHUNK
) -> tuple[Path, Path, int]:
    """Write the two Parquet files; returns their paths and the number of chats."""
    weights = np.random.default_rng([seed, 0]).lognormal(0.0, 1.5, merchants)  # skewed sizes
    cdf = np.cumsum(weights) / weights.sum()
    cdf[-1] = 1.0
    names = pa.array([f"m{i:06d}" for i in range(merchants)], type=pa.string())
    as_of = to_us(AS_OF)
    chats = max(1, orders // 20)
    orders_path, chats_path = directory / "score_orders.parquet", directory / "score_chats.parquet"

    order_chunk = partial(_order_chunk, cdf=cdf, names=names, as_of=as_of)
    _write(orders_path, t.score_orders, orders, order_chunk, (seed, 1), chunk)
    chat_chunk = partial(_chat_chunk, cdf=cdf, names=names, as_of=as_of)
    _write(chats_path, t.score_chats, chats, chat_chunk, (seed, 2), chunk)
    return orders_path, chats_path, chats


# ------------------------------------------------------------------ the two timed paths


@dataclass(frozen=True)
class Case:
    """What both paths compute: the files, the score's day and window, the pickup table."""

    orders: Path
    chats: Path
    as_of: int
    window_days: int
    pickup: Pickup
    stars: tuple[int, int]  # at most this many stars: a bad rating, a dissatisfied chat


def anxin_sums(case: Case, threads: int | None = None) -> Sums:
    """The score's own path: Ibis expressions from ``metrics`` on DuckDB over Parquet."""
    as_of, days, pickup = case.as_of, case.window_days, case.pickup
    con: Any = ibis.duckdb.connect(**({"threads": threads} if threads else {}))
    try:
        o = con.read_parquet(str(case.orders), table_name="score_orders")
        c = con.read_parquet(str(case.chats), table_name="score_chats")
        # ``anomaly`` only when it differs: older ``order_sums`` score flagged orders ``worst``
        extra = {} if pickup.anomaly == pickup.worst else {"anomaly": pickup.anomaly}
        bad, dissatisfied = case.stars
        sums = metrics.order_sums(
            o, as_of, days, pickup.ladder, pickup.worst, **extra, bad_stars=bad
        )
        order_part = metrics.collect(sums, ORDER_COLUMNS)
        chats = metrics.chat_sums(c, as_of, days, dissatisfied_stars=dissatisfied)
        chat_part = metrics.collect(chats, CHAT_COLUMNS)
    finally:
        con.disconnect()
    zero_orders = dict.fromkeys(ORDER_COLUMNS, 0)
    zero_chats = dict.fromkeys(CHAT_COLUMNS, 0)
    return {
        m: {**order_part.get(m, zero_orders), **chat_part.get(m, zero_chats)}
        for m in order_part.keys() | chat_part.keys()
    }


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def baseline_sql(case: Case) -> str:
    """One query, written by hand as a DuckDB user would: per-row flags once, then
    ``count_if`` / ``sum … FILTER``, orders and chats joined by merchant."""
    as_of, pickup = case.as_of, case.pickup
    start = as_of - case.window_days * DAY_US
    rungs = " ".join(f"WHEN elapsed <= {int(h * HOUR_US)} THEN {s}" for h, s in pickup.ladder)
    last_us = int(pickup.ladder[-1][0] * HOUR_US)
    anomaly, worst = pickup.anomaly, pickup.worst
    bad, dissatisfied = case.stars
    return f"""
WITH f AS (
  SELECT merchant_id, rating, agreed_at_us, review_start_us, anomaly_or_fraud,
    paid_at_us >= {start} AND paid_at_us < {as_of} AS paid,
    paid_at_us >= {start} AND paid_at_us < {as_of} AND valid = 1 AS valid_paid,
    signed_at_us >= {start} AND signed_at_us < {as_of} AS signed,
    delivery_due_us >= {start} AND delivery_due_us < {as_of} AS due,
    signed_at_us <= delivery_due_us AND anomaly_or_fraud = 0 AS on_time,
    aftersale_at_us < {as_of} AS asked_before,
    aftersale_at_us >= {start} AND aftersale_at_us < {as_of}
      AND agreed_at_us < {as_of} AS agreed,
    rating IS NOT NULL AND rated_at_us < {as_of} AS rated_before,
    first_reason, logistics_finding, sought_help = 1 AS helped, escalated = 1 AS esc,
    shipped_at_us IS NOT NULL AND shipped_at_us <= {as_of} AS picked,
    CASE WHEN shipped_at_us IS NOT NULL AND shipped_at_us <= {as_of}
      THEN shipped_at_us - pickup_start_us ELSE {as_of} - pickup_start_us END AS elapsed
  FROM read_parquet({_quote(case.orders)})
), o AS (
  SELECT merchant_id,
    count_if(valid_paid) AS valid_orders,
    count_if(signed) AS signed,
    count_if(signed AND rated_before) AS rated,
    coalesce(sum(rating) FILTER (WHERE signed AND rated_before), 0) AS rating_total,
    count_if(signed AND rated_before AND rating <= {bad}) AS bad_ratings,
    count_if(signed AND asked_before AND first_reason = 'quality') AS quality_returns,
    count_if(valid_paid AND (picked OR elapsed > {last_us})) AS pickup_orders,
    coalesce(sum(CASE WHEN anomaly_or_fraud = 1 THEN {anomaly} {rungs} ELSE {worst} END)
      FILTER (WHERE valid_paid AND (picked OR elapsed > {last_us})), 0) AS pickup_total,
    count_if(due) AS deliveries_due,
    count_if(due AND on_time) AS deliveries_on_time,
    count_if(valid_paid AND first_reason = 'logistics' AND logistics_finding = 1 AND asked_before)
      AS logistics_returns,
    count_if(agreed) AS reviews,
    coalesce(sum(greatest(agreed_at_us - review_start_us, 0)) FILTER (WHERE agreed), 0)
      AS review_us,
    count_if(paid AND helped) AS sought_help,
    count_if(paid AND helped AND esc) AS escalated
  FROM f GROUP BY merchant_id
), c AS (
  SELECT merchant_id,
    coalesce(sum(rounds) FILTER (WHERE s), 0) AS chat_rounds,
    coalesce(sum(response_seconds) FILTER (WHERE s), 0) AS chat_response_seconds,
    count_if(s AND rating IS NOT NULL) AS chats_rated,
    count_if(s AND rating <= {dissatisfied}) AS chats_dissatisfied
  FROM (
    SELECT merchant_id, rounds, response_seconds, rating,
      started_at_us >= {start} AND started_at_us < {as_of} AND counted = 1 AS s
    FROM read_parquet({_quote(case.chats)})
  ) GROUP BY merchant_id
)
SELECT coalesce(o.merchant_id, c.merchant_id) AS merchant_id,
  {", ".join(f"coalesce(o.{k}, 0)::BIGINT AS {k}" for k in ORDER_COLUMNS)},
  {", ".join(f"coalesce(c.{k}, 0)::BIGINT AS {k}" for k in CHAT_COLUMNS)}
FROM o FULL OUTER JOIN c ON o.merchant_id = c.merchant_id
"""


def _duckdb(threads: int | None) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config={"threads": threads} if threads else {})


def baseline_sums(sql: str, threads: int | None = None) -> Sums:
    """Fetched as ``metrics.collect`` fetches: an Arrow table, then ints per merchant."""
    with _duckdb(threads) as con:
        data = con.sql(sql).to_arrow_table().to_pydict()
    keys = (*ORDER_COLUMNS, *CHAT_COLUMNS)
    return {str(m): {k: int(data[k][i]) for k in keys} for i, m in enumerate(data["merchant_id"])}


def _threads(threads: int | None) -> int:
    with _duckdb(threads) as con:
        row = con.execute("SELECT current_setting('threads')").fetchone()
    return int(row[0]) if row else 0


def run(
    orders: int = 10_000_000,
    merchants: int = 100_000,
    window_days: int = 30,
    runs: int = 3,
    seed: int = 1,
    threads: int | None = None,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="anxin-bench-score-") as tmp:
        started = time.perf_counter()
        orders_path, chats_path, chats = generate(Path(tmp), orders, merchants, seed)
        generate_seconds = time.perf_counter() - started
        case = Case(
            orders_path, chats_path, to_us(AS_OF), window_days, pickup_ladder(), star_lines()
        )
        ours = partial(anxin_sums, case, threads)
        theirs = partial(baseline_sums, baseline_sql(case), threads)
        times: dict[str, list[float]] = {"anxin": [], "baseline": []}
        sums: dict[str, Sums] = {}
        for _ in range(max(1, runs)):  # alternate, so machine noise hits both alike
            for name, path in (("anxin", ours), ("baseline", theirs)):
                started = time.perf_counter()
                sums[name] = path()
                times[name].append(time.perf_counter() - started)

    result, expected = sums["anxin"], sums["baseline"]
    equal = result == expected
    mismatched = sum(result.get(m) != expected.get(m) for m in result.keys() | expected.keys())
    best, base_best = min(times["anxin"]), min(times["baseline"])
    return {
        "bench": "score",
        "engine": "duckdb",
        "orders": orders,
        "merchants": merchants,
        "chats": chats,
        "window_days": window_days,
        "merchants_scored": len(result),
        "valid_orders_in_window": sum(r["valid_orders"] for r in result.values()),
        "timing": f"best of {len(times['anxin'])}",
        "seconds": round(best, 3),
        "baseline_seconds": round(base_best, 3),
        "ratio": round(best / base_best, 3),
        "runs": [round(s, 3) for s in times["anxin"]],
        "baseline_runs": [round(s, 3) for s in times["baseline"]],
        "equal": equal,
        "mismatched_merchants": mismatched,
        "generate_seconds": round(generate_seconds, 3),
        "threads": _threads(threads),
        "pickup_ladder": [[h, s] for h, s in case.pickup.ladder],
        "pickup_worst": case.pickup.worst,
        "pickup_anomaly": case.pickup.anomaly,
    }
