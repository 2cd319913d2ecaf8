"""Where the score's expressions run: the live store (SQLite or PostgreSQL) through Ibis, or
Parquet exports (``anxin export parquet``) read by DuckDB or Apache Spark (local mode here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from anxin.store import schema as t
from anxin.store.database import resolve_url

EngineName = Literal["sqlite", "postgres", "duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("sqlite", "postgres", "duckdb", "spark")
TABLES = (t.score_orders, t.score_chats, t.score_merchants, t.score_adjustments)


@dataclass
class Source:
    orders: ir.Table
    chats: ir.Table
    merchants: ir.Table
    adjustments: ir.Table


def _arrow_schema(table: sa.Table) -> pa.Schema:
    def kind(column: sa.Column[Any]) -> pa.DataType:
        return pa.int64() if isinstance(column.type, sa.Integer) else pa.string()

    return pa.schema([pa.field(c.name, kind(c), nullable=True) for c in table.columns])


def export_parquet(engine: sa.Engine, directory: Path, chunk: int = 200_000) -> dict[str, int]:
    """Write each score table to ``directory/<table>.parquet``; returns rows per table."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with engine.connect() as conn:
        for table in TABLES:
            schema = _arrow_schema(table)
            rows = 0
            with pq.ParquetWriter(directory / f"{table.name}.parquet", schema) as writer:
                result = conn.execution_options(yield_per=chunk).execute(sa.select(table))
                for part in result.partitions(chunk):
                    columns = list(zip(*part, strict=True))
                    arrays = [
                        pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)
                    ]
                    writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                    rows += len(part)
                if rows == 0:
                    writer.write_table(schema.empty_table())
            written[table.name] = rows
    return written


def spark_session() -> Any:
    """A local Spark session (no UI, few shuffle partitions): for tests and one-machine runs."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("anxin-score")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


@contextmanager
def open_source(
    engine: EngineName, *, db: str | None = None, parquet: Path | None = None
) -> Iterator[Source]:
    """The score tables on ``engine``: the store at ``db`` (sqlite, postgres) or the Parquet
    export in ``parquet`` (duckdb, spark)."""
    names = [tbl.name for tbl in TABLES]
    if engine in ("sqlite", "postgres"):
        url = make_url(resolve_url(db))
        if engine == "sqlite":
            con: Any = ibis.sqlite.connect(url.database)
        else:
            import psycopg

            options = url.query.get("options")
            raw = psycopg.connect(
                host=url.host, port=url.port or 5432, user=url.username,
                password=url.password, dbname=url.database, autocommit=True,
                options=str(options) if options else "",
            )  # fmt: skip
            con = ibis.postgres.from_connection(raw)
        try:
            yield Source(*(con.table(n) for n in names))
        finally:
            con.disconnect()
        return
    if parquet is None:
        raise ValueError(f"engine {engine} reads a Parquet export: give its directory")
    con = ibis.duckdb.connect() if engine == "duckdb" else ibis.pyspark.connect(spark_session())
    try:
        yield Source(
            *(con.read_parquet(str(parquet / f"{n}.parquet"), table_name=n) for n in names)
        )
    finally:
        if engine == "duckdb":
            con.disconnect()
