"""``anxin import``: marketplace exports → events → the engine, with a summary read from the store.

The lead's root group registers :data:`import_group`; ``--db`` and ``--pack`` come from the
root's ``Settings`` (``ctx.obj``) when there is one, and ``--db`` may also be given here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from anxin.cli.options import DataPath, console
from anxin.importers import DEFAULT_BATCH
from anxin.importers.olist_reader import DEFAULT_TZ, SELLERS

if TYPE_CHECKING:
    from anxin.importers.olist import ImportResult
    from anxin.importers.olist_reader import Export


@click.group("import")
def import_group() -> None:
    """Import marketplace exports as anxin events."""


def _root_setting(ctx: click.Context, name: str) -> Any:
    return getattr(ctx.find_root().obj, name, None)


def _store_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--db`` and ``--batch-size``, shared by every import command."""
    command = click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH,
                           show_default=True, help="events per transaction")(command)  # fmt: skip
    db_help = "SQLite file or database URL [default: the root --db]"
    return click.option("--db", "db_option", help=db_help)(command)


@import_group.command("olist")
@click.argument("directory", type=DataPath(file_okay=False, path_type=Path))
@click.option("--sellers", type=DataPath(dir_okay=False, path_type=Path),
              help=f"the sellers CSV [default: DIRECTORY/{SELLERS}]")  # fmt: skip
@click.option("--tz", default=DEFAULT_TZ, show_default=True,
              help="IANA zone of the export's local (offset-less) times")  # fmt: skip
@_store_options
@click.pass_context
def olist(
    ctx: click.Context,
    directory: Path,
    sellers: Path | None,
    tz: str,
    db_option: str | None,
    batch_size: int,
) -> None:
    """Import the Olist CSV export in DIRECTORY; the last stdout line is a JSON summary.
    DIRECTORY and --sellers may be names under ANXIN_DATA (olist_sample_4k)."""
    from anxin.importers.olist import read_export

    _ingest(ctx, lambda: read_export(directory, sellers, tz), str(directory), db_option,
            batch_size, f"olist:{directory.resolve().name}", "Olist import")  # fmt: skip


def _ingest(
    ctx: click.Context,
    read: Callable[[], Export],
    title: str,
    db_option: str | None,
    batch_size: int,
    source: str,
    heading: str,
) -> None:
    """Read (before any database is touched), ingest with a progress bar, print the summary."""
    # Imported here: `anxin --help` should not pay for SQLAlchemy and the engine.
    from sqlalchemy.engine import make_url

    from anxin.application import load_policy
    from anxin.importers.olist import ExportError, ingest_export
    from anxin.policy.pack import PolicyError
    from anxin.store.database import make_engine, resolve_url
    from anxin.store.migrate import ensure_schema

    try:
        book = load_policy(_root_setting(ctx, "pack") or "douyin")
        export = read()
    except (ExportError, PolicyError) as exc:
        raise click.ClickException(str(exc)) from None
    db = db_option or _root_setting(ctx, "db")
    sql = make_engine(db)
    try:
        ensure_schema(sql)
        err = Console(stderr=True)
        with Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal,
        ) as bar:  # fmt: skip
            task = bar.add_task("ingest", total=len(export.events))
            result = ingest_export(
                sql,
                export,
                source=source,
                book=book,
                batch_size=batch_size,
                progress=lambda n: bar.advance(task, n),
            )
    finally:
        sql.dispose()
    shown = make_url(resolve_url(db)).render_as_string(hide_password=True)
    render(result, console(), f"{title} → {shown}", heading)
    click.echo(json.dumps(result.summary(), ensure_ascii=False))


@import_group.command("csv")
@click.argument("files", nargs=-1, required=True, type=DataPath(exists=True, path_type=Path))
@click.option("--mapping", "mapping_name", required=True, metavar="MAPPING",
              help="a mapping YAML file, or a shipped one: olist, shopify")  # fmt: skip
@_store_options
@click.pass_context
def csv_files(
    ctx: click.Context,
    files: tuple[Path, ...],
    mapping_name: str,
    db_option: str | None,
    batch_size: int,
) -> None:
    """Import your own CSV FILES (or the files in a directory) as MAPPING says (see
    docs/integration.md); the last stdout line is the same JSON summary as `import olist`."""
    from anxin.importers.generic_files import read_files
    from anxin.importers.mapping import MappingError, load_mapping

    try:
        mapping = load_mapping(mapping_name)
    except MappingError as exc:
        raise click.ClickException(str(exc)) from None
    label = ", ".join(f.name for f in files)
    _ingest(ctx, lambda: read_files(mapping, list(files)), label, db_option, batch_size,
            f"csv:{mapping.name}", f"CSV import ({mapping.origin})")  # fmt: skip


def render(result: ImportResult, out: Console, title: str, heading: str = "Olist import") -> None:
    """The human-readable block (the JSON line follows it)."""
    s = result.summary()
    orders = s["orders"] or 1
    facts = Table(title=f"{heading}: {title}", show_header=False)
    facts.add_column("what")
    facts.add_column("count", justify="right")
    for label, value in [
        ("orders in the store", s["orders"]),
        ("  paid / shipped / delivered", _slash(s, "paid", "shipped", "delivered")),
        ("  cancelled / reviewed", _slash(s, "cancelled", "reviewed")),
        ("  with several sellers (kept as one order)", s["multi_seller_orders"]),
        ("sellers registered", s["sellers"]),
        ("events in the store", s["events"]),
        ("  accepted now / duplicates", f"{s['accepted']:,} / {s['duplicates']:,}"),
        ("  dead letters", s["dead_letters"]),
        ("unusable rows in the dead-letter store", s["dead_lettered_rows"]),
        ("late shipped (first scan after ship-by)", _share(s["late_shipped_orders"], orders)),
        ("late delivered (after deliver-by)", _share(s["late_delivered_orders"], orders)),
        ("rule decisions (none when the pack postdates the data)", s["decisions"]),
    ]:
        facts.add_row(label, f"{value:,}" if isinstance(value, int) else value)
    out.print(facts)

    files = Table(title="rows by file")
    for col in ("file", "read", "used", "skipped"):
        files.add_column(col, justify="left" if col == "file" else "right")
    for name, f in s["rows"].items():
        files.add_row(name, f"{f['read']:,}", f"{f['used']:,}", f"{f['skipped']:,}")
    for name in s["absent_files"]:
        files.add_row(f"[dim]{name} (absent)[/dim]", "", "", "")
    out.print(files)

    problems = result.export.accounts
    if problems.skips or problems.notes:
        why = Table(title="skipped rows and ignored cells, by reason")
        for col in ("reason", "rows", "first example"):
            why.add_column(col, overflow="fold")
        examples: dict[str, str] = {}
        for p in [*problems.skips, *problems.notes]:
            examples.setdefault(p.reason, f"{p.file}:{p.line} {p.detail}"[:120])
        for reason, n in s["skipped_rows"].items():
            why.add_row(reason, f"{n:,}", examples[reason])
        for reason, n in s["cell_problems"].items():
            why.add_row(f"{reason} [dim](row still used)[/dim]", f"{n:,}", examples[reason])
        out.print(why)
    for error in result.report.errors[:5]:
        out.print(f"dead letter #{error.index} {error.event_id}: [{error.code}] {error.message}")
    if s["latin1_lines"]:
        out.print(f"Latin-1 lines decoded: {s['latin1_lines']}", highlight=False)


def _slash(s: dict[str, Any], *names: str) -> str:
    return " / ".join(f"{s[f'{n}_orders']:,}" for n in names)


def _share(n: int, of: int) -> str:
    return f"{n:,} ({100 * n / of:.1f}%)"
