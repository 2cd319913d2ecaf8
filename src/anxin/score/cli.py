"""``anxin score`` and ``anxin export parquet``."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from anxin.cli.options import WHEN, DataPath, When, console, parse_when

if TYPE_CHECKING:
    import sqlalchemy as sa

    from anxin.policy.pack import PolicyBook, PolicyPack

# The same names as anxin.score.engines (which imports Ibis and PyArrow: not at CLI startup;
# tests/cli/test_startup.py checks the two agree).
EngineName = Literal["sqlite", "postgres", "duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("sqlite", "postgres", "duckdb", "spark")
# Olist's local times are Brasília time; a --as-of date for an Olist export starts there.
OLIST_ZONE = dt.timezone(dt.timedelta(hours=-3))

err = console(stderr=True)


def _root(ctx: click.Context, name: str) -> Any:
    root = ctx.find_root().obj
    return getattr(root, name, None)


def parse_as_of(value: str | When, pack: PolicyPack) -> dt.datetime:
    """A date means the start of that day in the pack's time zone (scores refresh each
    morning over the 30 days before); an instant needs its UTC offset."""
    when = value if isinstance(value, When) else parse_when(value)
    return when.at(pack.calendar.zone)


def _load_policy(ctx: click.Context) -> PolicyBook:
    from anxin.cli.main import load_policy

    return load_policy(_root(ctx, "pack") or "douyin")


def _open_store(ctx: click.Context) -> sa.Engine:
    """The root ``--db`` store; scores read what was ingested, so a missing file is refused."""
    from anxin.application import StoreMissing, open_store

    try:
        return open_store(_root(ctx, "db"), create=False)
    except StoreMissing as exc:
        raise click.ClickException(str(exc)) from None


def score_pack(book: PolicyBook, at: dt.datetime, section: str = "merchant_score") -> PolicyPack:
    """The version in force at ``at`` that defines the score, else the latest that does
    (historic imports are scored by today's definition)."""
    having = [v for v in book.versions if v.rule(section) is not None]
    if not having:
        raise click.ClickException(f"pack {book.name} defines no `{section}`")
    earlier = [v for v in having if v.effective_from <= at]
    return earlier[-1] if earlier else having[-1]


@contextmanager
def _parquet_dir(given: Path | None) -> Iterator[Path]:
    if given is not None:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="anxin-parquet-") as tmp:
        yield Path(tmp)


@click.group("score", invoke_without_command=True)
@click.option("--as-of", "as_of", type=WHEN,
              help="a date (start of that day, pack time zone) or instant")  # fmt: skip
@click.option("--engine", "engine_name", type=click.Choice(ENGINES),
              help="where the sums run [default: the store's own backend]")  # fmt: skip
@click.option("--parquet", type=click.Path(file_okay=False, path_type=Path),
              help="Parquet export for duckdb / spark [default: a temp dir]")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@click.option("--rebuild/--no-rebuild", default=True, show_default=True,
              help="rebuild the score facts from the store first")  # fmt: skip
@click.option("--store/--no-store", "keep", default=True, show_default=True,
              help="keep the day's scores in the history table")  # fmt: skip
@click.pass_context
def score_group(
    ctx: click.Context,
    as_of: When | None,
    engine_name: EngineName | None,
    parquet: Path | None,
    fmt: str,
    rebuild: bool,
    keep: bool,
) -> None:
    """Compute merchants' experience scores as of a day; JSON lines with --format json."""
    if ctx.invoked_subcommand is not None:
        return
    if as_of is None:
        raise click.UsageError("give --as-of DATE (or a subcommand)")
    from rich.table import Table

    from anxin.score.engines import export_parquet, open_source
    from anxin.score.grants import run_privileges
    from anxin.score.project import rebuild as rebuild_facts
    from anxin.score.run import (
        as_dict,
        save_health_history,
        save_history,
        score_day,
        seller_health_day,
    )
    from anxin.store.database import is_sqlite, resolve_url

    book = _load_policy(ctx)
    at = parse_as_of(as_of, book.versions[-1])
    amazon = all(v.rule("merchant_score") is None for v in book.versions)
    pack = score_pack(book, at, "seller_metrics" if amazon else "merchant_score")
    db = _root(ctx, "db")
    sql = _open_store(ctx)
    chosen: EngineName = engine_name or ("sqlite" if is_sqlite(sql) else "postgres")
    if chosen in ("sqlite", "postgres") and chosen != ("sqlite" if is_sqlite(sql) else "postgres"):
        raise click.UsageError(f"--engine {chosen} reads the store, which is not {chosen}")
    if rebuild:
        made = rebuild_facts(sql, book)
        err.print(f"score facts: {made.orders:,} orders · {made.chats:,} chats · "
                  f"{made.merchants:,} merchants · {made.adjustments:,} adjustments")  # fmt: skip
    with _parquet_dir(parquet) as directory:
        if chosen in ("duckdb", "spark") and (parquet is None or rebuild):
            export_parquet(sql, directory)
        with open_source(chosen, db=resolve_url(db), parquet=directory) as source:
            if amazon:  # Amazon-style seller metrics and account health instead of a score
                health = seller_health_day(source, at, pack)
                if keep:
                    save_health_history(sql, pack.calendar.local(at).date(), pack, chosen, health)
                sql.dispose()
                _print_health(health, at, pack, chosen, fmt)
                return
            inputs, scores = score_day(source, at, pack)
            if keep:
                industries = {m.merchant_id: m.industry for m in inputs}
                orders = {m.merchant_id: m.valid_orders for m in inputs}
                changes = run_privileges(sql, source, scores, at, pack, industries, orders)
                err.print(f"privileges: {len(changes):,} changes sent to the outbox")
    if keep:
        save_history(sql, pack.calendar.local(at).date(), pack, chosen, scores)
    sql.dispose()
    if fmt == "json":
        for s in scores:
            click.echo(json.dumps(as_dict(s), ensure_ascii=False, sort_keys=True))
        return
    table = Table(
        title=f"Merchant scores as of {at.isoformat()} ({pack.name} {pack.version}, {chosen})"
    )
    for column in ("merchant", "stage", "score", "stars", "product", "logistics", "service"):
        table.add_column(column, justify="left" if column in ("merchant", "stage") else "right")
    for s in scores:
        dims = {d.dimension: d.score for d in s.dimensions}
        table.add_row(
            s.merchant_id, s.stage, f"{s.score:.2f}", s.stars or "—",
            *(f"{dims[d]:.1f}" if dims.get(d) is not None else "—"
              for d in ("product", "logistics", "service")),
        )  # fmt: skip
    console().print(table)


def _print_health(
    rows: list[Any], at: dt.datetime, pack: PolicyPack, engine: str, fmt: str
) -> None:
    import msgspec
    from rich.table import Table

    if fmt == "json":
        for h in rows:
            click.echo(json.dumps(msgspec.to_builtins(h), ensure_ascii=False, sort_keys=True))
        return
    table = Table(
        title=f"Seller health as of {at.isoformat()} ({pack.name} {pack.version}, {engine})"
    )
    names = [r.metric for r in rows[0].rates] if rows else []
    for column in ("merchant", "health", "band", "SPS", *names):
        table.add_column(column, justify="left" if column in ("merchant", "band") else "right")
    for h in rows:
        rates = [f"{r.percent}%" if r.percent is not None else "—" for r in h.rates]
        sps = str(h.sps) if h.sps is not None else "—"
        table.add_row(h.merchant_id or "", str(h.health), h.band, sps, *rates)
    console().print(table)


@click.group("export")
def export_group() -> None:
    """Export the store's tables for other engines."""


@export_group.command("parquet")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--rebuild/--no-rebuild", default=True, show_default=True,
              help="rebuild the score facts from the store first")  # fmt: skip
@click.pass_context
def export_parquet_cmd(ctx: click.Context, directory: Path, rebuild: bool) -> None:
    """Write the score facts as Parquet files (DuckDB, Spark) into DIRECTORY."""
    from anxin.score.engines import export_parquet
    from anxin.score.project import rebuild as rebuild_facts

    sql = _open_store(ctx)
    if rebuild:
        rebuild_facts(sql, _load_policy(ctx))
    written = export_parquet(sql, directory)
    sql.dispose()
    click.echo(json.dumps({"directory": str(directory), "rows": written}))


@score_group.command("validate")
@click.argument("directory", type=DataPath(file_okay=False, exists=True, path_type=Path))
@click.option("--as-of", "as_of", type=WHEN, default="2018-01-01", show_default=True,
              help="score day (a mid-period date of the export, 00:00 Brasília time) or "
              "instant")  # fmt: skip
@click.option("--window-days", type=click.IntRange(min=1),
              help="override the pack's scoring window (a sensitivity check)")  # fmt: skip
@click.option("--horizon-days", default=180, show_default=True,
              help="later reviews counted from the score day")  # fmt: skip
@click.option("--min-reviews", default=3, show_default=True,
              help="sellers need this many later reviews to be compared")  # fmt: skip
@click.pass_context
def validate_cmd(
    ctx: click.Context,
    directory: Path,
    as_of: When,
    window_days: int | None,
    horizon_days: int,
    min_reviews: int,
) -> None:
    """Score an Olist export's sellers mid-period and rank them against their later 1-2★ share
    (Spearman, AUC); prints one JSON line. DIRECTORY may be a name under ANXIN_DATA."""
    from anxin.importers.csvread import ExportError
    from anxin.score.validate import validate_olist

    book = _load_policy(ctx)
    at = as_of.at(OLIST_ZONE)
    try:
        result = validate_olist(
            directory, book, at,
            window_days=window_days, horizon_days=horizon_days, min_reviews=min_reviews,
        )  # fmt: skip
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(result, ensure_ascii=False))


@score_group.command("explain")
@click.argument("merchant_id")
@click.option("--day", type=WHEN, help="a scored day (YYYY-MM-DD; an instant means its day in "
              "the pack's zone) [default: the latest]")  # fmt: skip
@click.pass_context
def explain_cmd(ctx: click.Context, merchant_id: str, day: When | None) -> None:
    """A merchant's stored score for a day, with every indicator's value, band, weight, the
    floors, deductions and bonuses (JSON), and its daily history (trend, abnormal drops)."""
    import sqlalchemy as sa

    from anxin.store import schema as t

    wanted = None
    if day is not None:  # a day as given, or an instant's day in the pack's zone
        wanted = (day.day or day.local_day(_load_policy(ctx).latest.calendar.zone)).isoformat()
    sql = _open_store(ctx)
    s = t.merchant_scores.c
    with sql.connect() as conn:
        history = conn.execute(
            sa.select(s.day, s.score, s.stage).where(s.merchant_id == merchant_id).order_by(s.day)
        ).all()
        if not history:
            raise click.ClickException(f"no stored score for merchant {merchant_id!r}")
        chosen = wanted or history[-1][0]
        row = conn.execute(
            sa.select(s.explanation, s.pack, s.pack_version, s.engine).where(
                (s.merchant_id == merchant_id) & (s.day == chosen)
            )
        ).first()
    sql.dispose()
    if row is None:
        raise click.ClickException(f"merchant {merchant_id!r} was not scored on {chosen}")
    trend = []
    previous: float | None = None
    for d, score, stage in history:
        value = float(score)
        drop = None if previous is None else round(previous - value, 2)
        trend.append({"day": d, "score": value, "stage": stage, "drop": drop})
        previous = value
    out = {
        "merchant_id": merchant_id,
        "day": chosen,
        "pack": f"{row[1]} {row[2]}",
        "engine": row[3],
        "score": json.loads(row[0]),
        "history": trend,
    }
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


@score_group.command("orders")
@click.argument("merchant_id")
@click.argument("indicator")
@click.option("--as-of", "as_of", type=WHEN, required=True,
              help="a date or instant, as for `anxin score`")  # fmt: skip
@click.pass_context
def orders_cmd(ctx: click.Context, merchant_id: str, indicator: str, as_of: When) -> None:
    """The orders behind one of a merchant's rates (JSON lines; `counted` marks the rate's
    numerator), from the same expressions the score sums."""
    from anxin.clock import from_us, to_us
    from anxin.score.engines import open_source
    from anxin.score.metrics import INDICATOR_SETS, orders_behind
    from anxin.score.run import ladder, score_config
    from anxin.store.database import is_sqlite, resolve_url

    if indicator not in INDICATOR_SETS:  # refused before any store is opened
        known = ", ".join(sorted(INDICATOR_SETS))
        raise click.BadParameter(
            f"{indicator!r} is not measured over orders; order indicators: {known}",
            param_hint="INDICATOR",
        )
    book = _load_policy(ctx)
    at = parse_as_of(as_of, book.versions[-1])
    pack = score_pack(book, at)
    config = score_config(pack)
    rungs, worst = ladder(config)
    db = _root(ctx, "db")
    sql = _open_store(ctx)
    engine_name: EngineName = "sqlite" if is_sqlite(sql) else "postgres"
    sql.dispose()
    with open_source(engine_name, db=resolve_url(db)) as source:
        try:
            expr = orders_behind(
                source.orders, merchant_id, indicator, to_us(at), config.window_days, rungs,
                worst, int(config.pickup.anomaly_or_fraud_score),
                bad_stars=config.bad_rating_max_stars,
            )  # fmt: skip
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        rows = expr.to_pyarrow().to_pylist()
    for r in rows:
        for key in ("paid_at_us", "shipped_at_us", "signed_at_us"):
            value = r.pop(key)
            r[key.removesuffix("_us")] = from_us(value).isoformat() if value is not None else None
        click.echo(json.dumps(r, ensure_ascii=False))
