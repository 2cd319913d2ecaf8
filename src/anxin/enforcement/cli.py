"""``anxin violations run|list|show|rectified|evaluate`` and ``anxin appeals file|decide|list``: one
JSON line per result (``list``: one per row)."""

from __future__ import annotations

import json
from typing import Any

import click

from anxin.cli.options import WHEN, When

SETTLE_HINT = "(a date is 00:00 in the pack's zone) [default: now]"


def _echo(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=str))


def _now(settings: Any, now: When | None) -> Any:
    from anxin.clock import SystemClock

    return now.at(settings.zone()) if now else SystemClock().now()


def _zone(settings: Any) -> Any:
    return settings.book().latest.calendar.zone


def _view(obj: Any) -> None:
    import msgspec

    _echo(msgspec.to_builtins(obj))


@click.group("violations")
def violations_group() -> None:
    """Enforcement: judge merchants' days, list violations and their measures, evaluate."""


@violations_group.command("run")
@click.option("--now", type=WHEN, help=f"run as of this instant {SETTLE_HINT}")
@click.pass_obj
def run_cmd(settings: Any, now: When | None) -> None:
    """Judge every settled day; record violations, measures, plans; lift what ended."""
    from anxin.enforcement.run import run

    report = run(settings.sql_engine(create=False), settings.book(), _now(settings, now))
    _echo(vars(report))


@violations_group.command("list")
@click.option("--merchant", help="one merchant's violations")
@click.option("--type", "type_", help="one violation type")
@click.option("--status", type=click.Choice(["active", "reverted"]))
@click.pass_obj
def list_cmd(settings: Any, merchant: str | None, type_: str | None, status: str | None) -> None:
    """One JSON line per violation (its notice), oldest first."""
    from anxin.enforcement.views import violation_notices

    sql = settings.sql_engine(create=False)
    for notice in violation_notices(sql, _zone(settings), merchant_id=merchant, type_=type_,
                                    status=status):  # fmt: skip
        _view(notice)


@violations_group.command("show")
@click.argument("violation_id")
@click.pass_obj
def show_cmd(settings: Any, violation_id: str) -> None:
    """A violation with its facts, notice, measures, appeal and plan."""
    from anxin.clock import SystemClock
    from anxin.enforcement.views import violation_detail

    sql = settings.sql_engine(create=False)
    found = violation_detail(sql, _zone(settings), violation_id, SystemClock().now())
    if found is None:
        raise click.ClickException(f"no violation {violation_id!r} (see `anxin violations list`)")
    _view(found)


@violations_group.command("rectified")
@click.option("--window-days", default=14, show_default=True, help="days before and after")
@click.pass_obj
def rectified_cmd(settings: Any, window_days: int) -> None:
    """Service indicators of the merchants given a rectification plan, before their first
    plan and after it (one JSON line), beside Douyin's published dissatisfaction change."""
    from anxin.enforcement.rectified import rectified

    _echo(rectified(settings.sql_engine(create=False), settings.book(), window_days=window_days))


@violations_group.command("evaluate")
@click.argument("truth", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def evaluate_cmd(settings: Any, truth: str) -> None:
    """Precision and recall of the merchants caught per violation type, against the
    simulator's planted violators (its truth file)."""
    from anxin.enforcement.evaluate import evaluate

    _echo(evaluate(settings.sql_engine(create=False), truth))


@click.group("appeals")
def appeals_group() -> None:
    """Appeals against violations: file (the merchant), decide (the platform), list."""


@appeals_group.command("file")
@click.argument("violation_id")
@click.option("--merchant", required=True, help="the merchant appealing (must own it)")
@click.option("--reason", required=True, help="why the violation is wrong")
@click.option("--now", type=WHEN, help=f"filed at {SETTLE_HINT}")
@click.pass_obj
def file_cmd(settings: Any, violation_id: str, merchant: str, reason: str,
             now: When | None) -> None:  # fmt: skip
    from anxin.enforcement.appeals import AppealRefused, file_appeal

    try:
        filed = file_appeal(settings.sql_engine(create=False), settings.book(), violation_id,
                            merchant, reason, _now(settings, now))  # fmt: skip
    except AppealRefused as exc:
        raise click.ClickException(str(exc)) from None
    _echo({"appeal_id": filed.appeal_id, "violation_id": filed.violation_id,
           "decide_by": filed.decide_by.isoformat()})  # fmt: skip


@appeals_group.command("decide")
@click.argument("appeal_id")
@click.option("--uphold/--reject", required=True, help="uphold (revert the violation) or reject")
@click.option("--by", "decided_by", default="operator", show_default=True)
@click.option("--decision", required=True, help="the reasons, as the merchant will read them")
@click.option("--now", type=WHEN, help=f"decided at {SETTLE_HINT}")
@click.pass_obj
def decide_cmd(settings: Any, appeal_id: str, uphold: bool, decided_by: str, decision: str,
               now: When | None) -> None:  # fmt: skip
    from anxin.enforcement.appeals import AppealRefused, decide_appeal

    try:
        reverted = decide_appeal(settings.sql_engine(create=False), appeal_id, upheld=uphold,
                                 decided_by=decided_by, decision=decision,
                                 at=_now(settings, now))  # fmt: skip
    except AppealRefused as exc:
        raise click.ClickException(str(exc)) from None
    _echo({"appeal_id": appeal_id, "upheld": uphold, "reverted": reverted})


@appeals_group.command("list")
@click.option("--status", type=click.Choice(["filed", "upheld", "rejected"]))
@click.pass_obj
def appeals_list_cmd(settings: Any, status: str | None) -> None:
    """One JSON line per appeal, the ones due soonest first (``overdue``: undecided past
    its due time, now)."""
    from anxin.clock import SystemClock
    from anxin.enforcement.views import appeal_views

    sql = settings.sql_engine(create=False)
    for appeal in appeal_views(sql, _zone(settings), status=status, now=SystemClock().now()):
        _view(appeal)
