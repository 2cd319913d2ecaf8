"""``anxin deadletter``: the refused input, with its precise errors (loaded when named)."""

from __future__ import annotations

import json

import click

from anxin.cli.main import Settings, out


@click.group()
def deadletter() -> None:
    """The dead-letter store of refused input."""


@deadletter.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--code", help="only this error code (an unknown code is refused, listing the known)")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@click.pass_obj
def deadletter_list(settings: Settings, limit: int, code: str | None, as_json: bool) -> None:
    """List refused events with their precise errors."""
    import sqlalchemy as sa
    from rich.table import Table

    from anxin.clock import from_us
    from anxin.store.schema import dead_letters as d

    sql = settings.sql_engine(create=False)
    q = sa.select(d).order_by(d.c.received_at_us, d.c.source, d.c.position).limit(limit)
    with sql.connect() as conn:
        if code:
            from anxin.contract.decode import ERROR_CODES

            if code not in ERROR_CODES:
                stored = set(conn.execute(sa.select(d.c.code).distinct()).scalars())
                if code not in stored:
                    known = ", ".join(sorted(ERROR_CODES | stored))
                    raise click.BadParameter(
                        f"{code!r} is not a dead-letter code; known: {known}", param_hint="--code"
                    )
            q = q.where(d.c.code == code)
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
