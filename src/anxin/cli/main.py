"""The ``anxin`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import msgspec
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TimeRemainingColumn
from rich.table import Table

from anxin.cli.options import parse_instant
from anxin.clock import Clock, FixedClock, SystemClock, from_us
from anxin.policy.pack import PolicyBook, PolicyError

console = Console(stderr=True)
out = Console()


class Settings:
    def __init__(self, db: str | None, pack: str) -> None:
        self.db = db
        self.pack = pack

    def sql_engine(self, *, create: bool = True) -> Any:
        """The store, migrated; ``create=False`` (read-only commands) refuses a missing file."""
        from anxin.application import StoreMissing, open_store

        try:
            return open_store(self.db, create=create)
        except StoreMissing as exc:
            raise click.ClickException(str(exc)) from None

    def book(self) -> PolicyBook:
        return load_policy(self.pack)

    def engine(self, clock: Clock | None = None) -> Any:
        from anxin.application import build_engine
        from anxin.store.sql import SqlStore

        return build_engine(SqlStore(self.sql_engine()), self.book(), clock or SystemClock())


def load_policy(pack: str) -> PolicyBook:
    from anxin.application import load_policy as load

    return load(pack)


@click.group()
@click.option("--db", envvar="ANXIN_DB", help="SQLite file or database URL [default: ./anxin.db]")
@click.option("--pack", envvar="ANXIN_PACK", default="douyin", show_default=True,
              help="policy pack (built-in name or directory)")  # fmt: skip
@click.version_option(package_name="anxin")
@click.pass_context
def main(ctx: click.Context, db: str | None, pack: str) -> None:
    """anxin (安心): consumer protection and merchant governance for marketplaces."""
    ctx.obj = Settings(db, pack)


# ------------------------------------------------------------------ ingest / tick


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", default=20_000, show_default=True, help="events per transaction")
@click.option("--source", help="source label recorded with dead letters [default: file name]")
@click.option("--now", help="ingest clock (ISO 8601 with offset) for replays [default: now]")
@click.option("--json", "as_json", is_flag=True, help="print the report as one JSON line")
@click.pass_obj
def ingest(
    settings: Settings,
    files: tuple[str, ...],
    batch_size: int,
    source: str | None,
    now: str | None,
    as_json: bool,
) -> None:
    """Ingest JSON Lines event FILES (bad lines go to the dead-letter store)."""
    from anxin.engine.files import ingest_file
    from anxin.engine.processor import IngestReport

    at = parse_instant(now)
    engine = settings.engine(FixedClock(at) if at else None)
    total = IngestReport()
    paths = [Path(f) for f in files]
    with Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TimeRemainingColumn(), console=console, disable=as_json,
    ) as progress:  # fmt: skip
        for path in paths:
            task = progress.add_task(path.name, total=path.stat().st_size)

            def advance(n: int, task: TaskID = task) -> None:
                progress.advance(task, n)

            total.add(
                ingest_file(engine, path, batch_size=batch_size, source=source, progress=advance)
            )
    summary = {k: v for k, v in vars(total).items() if k != "errors"}
    if as_json:
        out.print_json(json.dumps(summary))
        return
    out.print(
        f"received {total.received:,} · accepted {total.accepted:,} · duplicates "
        f"{total.duplicates:,} · rejected {total.rejected:,} · held {total.held:,} · "
        f"decisions {total.decisions:,} · payouts {total.payouts:,}"
    )
    for error in total.errors[:10]:
        out.print(f"  line {error.index}: [{error.code}] {error.path}: {error.message}")
    if total.rejected > 10:
        out.print(f"  … {total.rejected - 10} more: anxin deadletter list")


@main.command()
@click.option("--now", help="fire deadlines due at this instant (ISO 8601) [default: now]")
@click.pass_obj
def tick(settings: Settings, now: str | None) -> None:
    """Fire every deadline that is due, exactly once."""
    at = parse_instant(now) or SystemClock().now()
    report = settings.engine(FixedClock(at)).tick(at)
    out.print(json.dumps(vars(report)))


@main.command()
@click.argument("order_id")
@click.option("--now", help="as of this instant (ISO 8601) [default: now]")
@click.pass_obj
def guarantees(settings: Settings, order_id: str, now: str | None) -> None:
    """Print an order's guarantee hall (rights, clocks, statuses, payouts) as JSON."""
    from anxin.guarantees.hall import OrderNotFound, load_hall

    at = parse_instant(now) or SystemClock().now()
    try:
        hall = load_hall(settings.sql_engine(create=False), order_id, settings.book(), at)
    except OrderNotFound:
        raise click.ClickException(f"no order {order_id!r}") from None
    click.echo(msgspec.json.format(msgspec.json.encode(hall), indent=2))


# ------------------------------------------------------------------ db


@main.group()
def db() -> None:
    """Schema migrations."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """Create or migrate the store to the latest schema."""
    from anxin.store.database import make_engine, resolve_url
    from anxin.store.migrate import current_revision, upgrade

    engine = make_engine(settings.db)
    upgrade(engine)
    out.print(f"{resolve_url(settings.db)} at revision {current_revision(engine)}")


# ------------------------------------------------------------------ policy


@main.group()
def policy() -> None:
    """Policy packs."""


@policy.command("validate")
@click.argument("packs", nargs=-1, required=True)
def policy_validate(packs: tuple[str, ...]) -> None:
    """Validate PACKS (built-in names, directories or YAML files)."""
    failed = False
    for name in packs:
        try:
            book = load_policy(name)
        except PolicyError as exc:
            failed = True
            out.print(f"[red]invalid[/red] {exc}", highlight=False)
            continue
        versions = ", ".join(v.version for v in book.versions)
        out.print(f"[green]ok[/green] {book.name}: {len(book.versions)} version(s): {versions}")
    sys.exit(1 if failed else 0)


@policy.command("show")
@click.argument("pack")
@click.option("--at", "at", help="show the version in force at this instant [default: latest]")
@click.option("--json", "as_json", is_flag=True)
def policy_show(pack: str, at: str | None, as_json: bool) -> None:
    """Show a pack's versions and the one in force."""
    try:
        book = load_policy(pack)
        instant = parse_instant(at)
        version = book.in_force(instant) if instant else book.latest
    except (PolicyError, LookupError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        out.print_json(msgspec.json.encode(version.document).decode())
        return
    table = Table(title=f"pack {book.name}")
    for col in ("version", "effective from", "rules", "file"):
        table.add_column(col)
    for v in book.versions:
        mark = " ← in force" if v is version else ""
        table.add_row(v.version + mark, v.effective_from.isoformat(), ", ".join(v.rules), v.file)
    out.print(table)
    out.print(
        f"{version.title}\ncurrency {version.currency} · calendar {version.calendar.timezone}"
    )


# ------------------------------------------------------------------ dead letters


@main.group()
def deadletter() -> None:
    """The dead-letter store of refused input."""


@deadletter.command("list")
@click.option("--limit", default=50, show_default=True)
@click.option("--code", help="only this error code")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@click.pass_obj
def deadletter_list(settings: Settings, limit: int, code: str | None, as_json: bool) -> None:
    """List refused events with their precise errors."""
    import sqlalchemy as sa

    from anxin.store.schema import dead_letters as d

    q = sa.select(d).order_by(d.c.received_at_us, d.c.source, d.c.position).limit(limit)
    if code:
        q = q.where(d.c.code == code)
    with settings.sql_engine(create=False).connect() as conn:
        rows = conn.execute(q).mappings().all()
    if as_json:
        for r in rows:
            item = {k: v for k, v in r.items() if k != "raw"}
            item["received_at"] = from_us(r["received_at_us"]).isoformat()
            item["raw"] = bytes(r["raw"]).decode("utf-8", "replace")
            out.print(json.dumps(item, ensure_ascii=False), soft_wrap=True, highlight=False)
        return
    table = Table(title=f"dead letters ({len(rows)} shown)")
    for col in ("source", "line", "event id", "code", "path", "message"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["source"], str(r["position"] or ""), r["event_id"] or "", r["code"], r["path"],
            r["message"],
        )  # fmt: skip
    out.print(table)


# ------------------------------------------------------------------ API


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option(
    "--tick-interval",
    default=5.0,
    show_default=True,
    help="seconds between scheduler rounds (firing due deadlines)",
)
@click.option(
    "--dispatch-interval",
    default=1.0,
    show_default=True,
    help="seconds between outbox dispatcher rounds when idle",
)
@click.option("--no-scheduler", is_flag=True, help="do not fire deadlines in this process")
@click.option("--no-dispatcher", is_flag=True, help="do not deliver webhooks in this process")
@click.option(
    "--delivery-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML overriding the delivery defaults (see `anxin outbox deliver`)",
)
@click.option(
    "--scheduler-lease",
    default=30.0,
    show_default=True,
    help="SQLite: seconds a dead scheduler's lease outlives it",
)
@click.option(
    "--clock-offset",
    type=float,
    default=0.0,
    envvar="ANXIN_CLOCK_OFFSET",
    help="seconds added to the wall clock (tests, replays; negative: the past)",
)
@click.pass_obj
def serve(
    settings: Settings,
    host: str,
    port: int,
    tick_interval: float,
    dispatch_interval: float,
    no_scheduler: bool,
    no_dispatcher: bool,
    delivery_config: Path | None,
    scheduler_lease: float,
    clock_offset: float,
) -> None:
    """Serve the HTTP API (every write needs an API key: see `anxin apikey create`), with the
    scheduler (due deadlines) and the outbox dispatcher (webhooks) in background threads."""
    import datetime as dt

    import uvicorn

    from anxin.api.app import create_app
    from anxin.delivery.backoff import load_config
    from anxin.service import BackgroundOptions, OffsetClock

    try:
        background = BackgroundOptions(
            not no_scheduler, tick_interval, not no_dispatcher, dispatch_interval,
            scheduler_lease, load_config(delivery_config),
        )  # fmt: skip
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    clock = OffsetClock(dt.timedelta(seconds=clock_offset)) if clock_offset else None
    app = create_app(settings.db, pack=settings.pack, clock=clock, background=background)
    uvicorn.run(app, host=host, port=port)


@main.group()
def apikey() -> None:
    """API keys (stored hashed; a secret is shown once)."""


@apikey.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["operator", "merchant", "consumer", "ingest"]),
              default="ingest", show_default=True)  # fmt: skip
@click.pass_obj
def apikey_create(settings: Settings, name: str, role: str) -> None:
    """Create a key and print its secret (only this once)."""
    from anxin.api.keys import create_key

    out.print(create_key(settings.sql_engine(), name, role, clock=SystemClock()))  # type: ignore[arg-type]


@apikey.command("list")
@click.pass_obj
def apikey_list(settings: Settings) -> None:
    from anxin.api.keys import list_keys

    for key in list_keys(settings.sql_engine(create=False)):
        revoked = f"  revoked {key.revoked_at.isoformat()}" if key.revoked_at else ""
        out.print(f"{key.key_id}  {key.role:9s} {key.name}{revoked}", highlight=False)


@apikey.command("revoke")
@click.argument("key_id")
@click.pass_obj
def apikey_revoke(settings: Settings, key_id: str) -> None:
    from anxin.api.keys import revoke_key

    if not revoke_key(settings.sql_engine(), key_id, clock=SystemClock()):
        raise click.ClickException(f"no active key {key_id}")
    out.print(f"revoked {key_id}")


# ------------------------------------------------------------------ bench, demo


@main.group()
def bench() -> None:
    """Benchmarks: each prints one JSON line."""


@bench.command("ingest")
@click.option("--orders", default=50_000, show_default=True, help="orders in the generated stream")
@click.option("--batch-size", default=20_000, show_default=True)
@click.option("--rules", type=click.Choice(["all", "none"]), default="all", show_default=True,
              help="none: the engine spine alone, without guarantee rules")  # fmt: skip
def bench_ingest(orders: int, batch_size: int, rules: str) -> None:
    """Ingest a generated stream on SQLite, against a raw SQLite insert of the same rows."""
    from anxin.bench.ingest import run

    click.echo(json.dumps(run(orders=orders, batch_size=batch_size, rules=rules)))


@bench.command("score")
@click.option("--orders", default=10_000_000, show_default=True, help="orders generated")
@click.option("--merchants", default=100_000, show_default=True)
@click.option("--window-days", default=30, show_default=True)
@click.option("--runs", default=3, show_default=True, help="timed runs of each path (best kept)")
@click.option("--seed", default=1, show_default=True)
@click.option("--threads", type=int, default=None, help="DuckDB threads (default: all CPUs)")
def bench_score(
    orders: int, merchants: int, window_days: int, runs: int, seed: int, threads: int | None
) -> None:
    """Score sums via Ibis on DuckDB over Parquet, against one hand-written DuckDB query."""
    from anxin.bench.score import run  # lazy: keeps ibis and numpy out of CLI startup

    result = run(orders, merchants, window_days, runs, seed, threads)
    click.echo(json.dumps(result))
    if not result["equal"]:
        raise click.ClickException("the two paths disagree on per-merchant sums")


@main.command()
@click.option("--db", "demo_db", default="anxin-demo.db", show_default=True,
              help="SQLite file for the demo (recreated each run)")  # fmt: skip
@click.option("--scale", type=click.Choice(["tiny", "demo"]), default="demo", show_default=True)
@click.option("--seed", default=1, show_default=True)
def demo(demo_db: str, scale: str, seed: int) -> None:
    """Simulate a marketplace and run it through anxin on the embedded default, with a report."""
    from anxin.demo import run_demo

    run_demo(Path(demo_db), scale=scale, seed=seed, console=out)


def _register_subcommands() -> None:
    from anxin.bench.guarantees import bench_guarantees
    from anxin.delivery.cli import register as register_delivery
    from anxin.importers.cli import import_group
    from anxin.score.cli import export_group, score_group
    from anxin.sim.cli import bench_simulate, simulate
    from anxin.tracking.cli import tracking_group

    main.add_command(import_group)
    main.add_command(score_group)
    main.add_command(export_group)
    main.add_command(tracking_group)
    main.add_command(simulate)
    bench.add_command(bench_simulate, "simulate")
    bench.add_command(bench_guarantees)
    register_delivery(main, bench)


_register_subcommands()

if __name__ == "__main__":  # pragma: no cover
    main()
