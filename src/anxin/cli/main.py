"""The ``anxin`` command line.

``anxin --help`` must answer at once, so this module imports only click, rich's console and
anxin's light helpers: each command imports what it needs when it runs, and the command groups
of other packages are loaded only when named (:class:`LazyGroup`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from anxin.cli.options import WHEN, LazyConsole, When

if TYPE_CHECKING:
    from anxin.clock import Clock
    from anxin.engine.processor import Engine
    from anxin.policy.pack import PolicyBook

err = LazyConsole(stderr=True)
out = LazyConsole()


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

    def zone(self) -> dt.tzinfo:
        """The pack's time zone: a date given to ``--now`` means 00:00 there."""
        return self.book().latest.calendar.zone

    def engine(self, clock: Clock | None = None, *, create: bool = True) -> Engine:
        from anxin.application import build_engine
        from anxin.clock import SystemClock
        from anxin.store.sql import SqlStore

        sql = self.sql_engine(create=create)
        return build_engine(SqlStore(sql), self.book(), clock or SystemClock())


def load_policy(pack: str) -> PolicyBook:
    from anxin.application import load_policy as load
    from anxin.policy.pack import PolicyError

    try:
        return load(pack)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None


class LazyGroup(click.Group):
    """A group whose subcommands from other packages are imported only when used.

    ``lazy`` maps a name to (``"module:attribute"``, the command's short help): the help is
    repeated here so ``--help`` lists the commands without importing them (a test checks it
    matches each command's own)."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(self.load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def load(self, name: str) -> click.Command:
        module, attribute = self.lazy[name][0].split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            if name in self.lazy and name not in self.commands:
                rows.append((name, click.Command(name, help=self.lazy[name][1])))
            elif (command := self.get_command(ctx, name)) is not None and not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in rows])


# Command groups of other packages: (where, short help), loaded when named.
LAZY_COMMANDS = {
    "import": ("anxin.importers.cli:import_group", "Import marketplace exports as anxin events."),
    "score": (
        "anxin.score.cli:score_group",
        "Compute merchants' experience scores as of a day; JSON lines with --format json.",
    ),
    "export": ("anxin.score.cli:export_group", "Export the store's tables for other engines."),
    "tracking": ("anxin.tracking.cli:tracking_group", "Parse and normalize carrier tracking data."),
    "simulate": (
        "anxin.sim.cli:simulate",
        "Simulate a seeded marketplace and write its events and ground truth.",
    ),
    "apikey": ("anxin.api.cli:apikey", "API keys (stored hashed; a secret is shown once)."),
    "deadletter": ("anxin.cli.deadletters:deadletter", "The dead-letter store of refused input."),
    "webhook": (
        "anxin.delivery.cli:webhook_group",
        "Webhook endpoints: where outbox messages are delivered, signed (Standard Webhooks).",
    ),
    "outbox": (
        "anxin.delivery.cli:outbox_group",
        "The outbox: deliver its messages to the webhook endpoints, list and replay deliveries.",
    ),
    "refunds": (
        "anxin.refunds.cli:refunds_group",
        "Instant refunds: train the risk model, evaluate it, decide requests, shadow reports.",
    ),
    "violations": (
        "anxin.enforcement.cli:violations_group",
        "Enforcement: judge merchants' days, list violations and their measures, evaluate.",
    ),
    "appeals": (
        "anxin.enforcement.cli:appeals_group",
        "Appeals against violations: file (the merchant), decide (the platform), list.",
    ),
    "service": (
        "anxin.service.cli:service_group",
        "Customer service: reply SLAs and metrics; intents of consumer messages.",
    ),
    "screen": (
        "anxin.screening.cli:screen_group",
        "Screen listings against the pack's rules (one JSON line per listing).",
    ),
}
LAZY_BENCHES = {
    "simulate": (
        "anxin.sim.cli:bench_simulate",
        "Simulate the bench preset (2 shards) into a temporary file; print one JSON line.",
    ),
    "guarantees": (
        "anxin.bench.guarantees:bench_guarantees",
        "Simulated stream through ingest + detection + payouts on SQLite, against a raw insert.",
    ),
    "outbox": (
        "anxin.delivery.cli:bench_outbox",
        "Signed webhook deliveries per second to a local receiver, beside bare posts of the "
        "same bodies by the same HTTP client (the ratio is what the delivery machinery costs).",
    ),
    "api": (
        "anxin.bench.api:bench_api",
        "Events per second through POST /v1/events (one serve process), beside in-process ingest.",
    ),
    "service": (
        "anxin.bench.service:bench_service",
        "Suggested replies in process (the order's hall + the filled template): p50/p99 beside "
        "a bare read of the same order; one JSON line.",
    ),
    "pages": (
        "anxin.bench.pages:bench_pages",
        "Each page's server time (p50, p95) on the demo store, beside GET /live of the same app; "
        "one JSON line.",
    ),
    "refunds": (
        "anxin.refunds.cli:bench_refunds",
        "Instant-refund decisions: in-process p99, and per second through one serve process "
        "beside a bare endpoint of the same app.",
    ),
    "screen": (
        "anxin.bench.screen:bench_screen",
        "Listings screened in process, one by one and in batch, beside a bare decode.",
    ),
}


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS)
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
@click.option("--now", type=WHEN, help="ingest clock for replays (a date is 00:00 in the pack's "
              "zone) [default: now]")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="print the report as one JSON line")
@click.pass_obj
def ingest(
    settings: Settings,
    files: tuple[str, ...],
    batch_size: int,
    source: str | None,
    now: When | None,
    as_json: bool,
) -> None:
    """Ingest JSON Lines event FILES (bad lines go to the dead-letter store)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TimeRemainingColumn

    from anxin.clock import FixedClock
    from anxin.engine.files import ingest_file
    from anxin.engine.processor import IngestReport

    at = now.at(settings.zone()) if now else None
    engine = settings.engine(FixedClock(at) if at else None)
    total = IngestReport()
    paths = [Path(f) for f in files]
    with Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TimeRemainingColumn(), console=err.get(), disable=as_json,
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
@click.option("--now", type=WHEN, help="fire deadlines due at this instant (a date is 00:00 in "
              "the pack's zone) [default: now]")  # fmt: skip
@click.pass_obj
def tick(settings: Settings, now: When | None) -> None:
    """Fire every deadline that is due, exactly once."""
    from anxin.clock import FixedClock, SystemClock

    at = now.at(settings.zone()) if now else SystemClock().now()
    # Deadlines come from ingested events: a missing store is a wrong --db, not an empty one.
    report = settings.engine(FixedClock(at), create=False).tick(at)
    out.print(json.dumps(vars(report)))


@main.command()
@click.argument("order_id")
@click.option("--now", type=WHEN, help="as of this instant (a date is 00:00 in the pack's zone) "
              "[default: now]")  # fmt: skip
@click.pass_obj
def guarantees(settings: Settings, order_id: str, now: When | None) -> None:
    """Print an order's guarantee hall (rights, clocks, statuses, payouts) as JSON."""
    import msgspec

    from anxin.application import order_rules
    from anxin.clock import SystemClock
    from anxin.guarantees.hall import OrderNotFound, load_hall

    book = settings.book()
    at = now.at(book.latest.calendar.zone) if now else SystemClock().now()
    try:
        hall = load_hall(settings.sql_engine(create=False), order_id, book, at, order_rules())
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
    from anxin.application import load_policy as load
    from anxin.policy.pack import PolicyError

    failed = False
    for name in packs:
        try:
            book = load(name)
        except PolicyError as exc:
            failed = True
            out.print(f"[red]invalid[/red] {exc}", highlight=False)
            continue
        versions = ", ".join(v.version for v in book.versions)
        out.print(f"[green]ok[/green] {book.name}: {len(book.versions)} version(s): {versions}")
    sys.exit(1 if failed else 0)


@policy.command("show")
@click.argument("pack")
@click.option("--at", "at", type=WHEN, help="show the version in force at this instant (a date "
              "is 00:00 in the pack's zone) [default: latest]")  # fmt: skip
@click.option("--json", "as_json", is_flag=True)
def policy_show(pack: str, at: When | None, as_json: bool) -> None:
    """Show a pack's versions and the one in force."""
    import msgspec
    from rich.table import Table

    book = load_policy(pack)
    try:
        version = book.in_force(at.at(book.latest.calendar.zone)) if at else book.latest
    except LookupError as exc:
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
@click.option("--now", type=WHEN, help="start the clock at this instant and let it run (a demo's "
              "store lives at its own date); overrides --clock-offset")  # fmt: skip
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
    now: When | None,
) -> None:
    """Serve the HTTP API (every write needs an API key: see `anxin apikey create`), with the
    scheduler (due deadlines) and the outbox dispatcher (webhooks) in background threads."""
    import datetime as dt

    import uvicorn

    from anxin.api.app import create_app
    from anxin.api.logs import log_config
    from anxin.background import BackgroundOptions, OffsetClock
    from anxin.delivery.backoff import load_config

    try:
        background = BackgroundOptions(
            not no_scheduler, tick_interval, not no_dispatcher, dispatch_interval,
            scheduler_lease, load_config(delivery_config),
        )  # fmt: skip
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if now is not None:
        from anxin.clock import SystemClock

        clock_offset = (now.at(settings.zone()) - SystemClock().now()).total_seconds()
    clock = OffsetClock(dt.timedelta(seconds=clock_offset)) if clock_offset else None
    app = create_app(settings.db, pack=settings.pack, clock=clock, background=background)
    # request ids in every line; keys and link tokens redacted (anxin.api.logs)
    uvicorn.run(app, host=host, port=port, log_config=log_config())


# ------------------------------------------------------------------ bench, demo


@main.group(cls=LazyGroup, lazy=LAZY_BENCHES)
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
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("var/demo"), show_default=True,
              help="folder for the demo's store, events and truth (replaced each run)")  # fmt: skip
@click.option("--scale", type=click.Choice(["tiny", "demo"]), default="demo", show_default=True)
@click.option("--seed", default=1, show_default=True)
@click.option("--governance/--no-governance", default=True, show_default=True,
              help="simulated merchants obey anxin's enforcement measures and plans")  # fmt: skip
@click.option("--service-tools/--no-service-tools", default=True, show_default=True,
              help="agents use anxin's suggested replies and anxin reaches consumers before "
                   "they ask (compared with the same world without)")  # fmt: skip
def demo(directory: Path, scale: str, seed: int, governance: bool, service_tools: bool) -> None:
    """Simulate a marketplace and run it through anxin on the embedded default, with a report."""
    from anxin.demo import next_steps, run_demo

    result = run_demo(directory, scale=scale, seed=seed, console=out.get(), governance=governance,
                      service_tools=service_tools)  # fmt: skip
    out.print(next_steps(result, _program()), highlight=False, soft_wrap=True)


def _program() -> str:
    """How to call anxin again as this process was called (``.venv/bin/anxin`` after
    ``make demo``, when the virtualenv is not on PATH), so the printed commands paste as is."""
    import os
    import shlex
    import shutil

    argv0 = Path(sys.argv[0])
    if argv0.name != "anxin":
        return "anxin"  # python -m, a test runner
    on_path = shutil.which("anxin")
    if on_path and Path(on_path).resolve() == argv0.resolve():
        return "anxin"
    relative = os.path.relpath(argv0.resolve(), Path.cwd())
    return shlex.quote(relative if not relative.startswith("..") else str(argv0.resolve()))


if __name__ == "__main__":  # pragma: no cover
    main()
