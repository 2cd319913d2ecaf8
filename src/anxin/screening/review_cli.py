"""``anxin screen run`` and ``anxin screen review …``: verdicts that leave anxin, and the human
review queue whose decisions become labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from anxin.cli.options import WHEN, When


def _at(settings: Any, now: When | None) -> Any:
    from anxin.clock import SystemClock

    return now.at(settings.zone()) if now else SystemClock().now()


@click.command("run")
@click.option("--now", type=WHEN, help="screen the listings as of this instant [default: now]")
@click.pass_obj
def run_cmd(settings: Any, now: When | None) -> None:
    """Screen every new or changed listing in the store; send each intercept or needs-changes
    verdict once as `listing.verdict`, and queue those needing changes for review. One JSON
    line."""
    from anxin.screening.run import run

    got = run(settings.sql_engine(create=False), settings.book(), _at(settings, now))
    click.echo(json.dumps(got.__dict__))


@click.group("review")
def review_group() -> None:
    """The human review queue: list it, decide, export the decisions as labels."""


@review_group.command("list")
@click.option("--status", type=click.Choice(["open", "decided"]), default="open",
              show_default=True)  # fmt: skip
@click.option("--limit", default=100, show_default=True)
@click.pass_obj
def list_cmd(settings: Any, status: str, limit: int) -> None:
    """One JSON line per review, oldest first."""
    from anxin.screening.reviews import queue

    for row in queue(settings.sql_engine(create=False), status, limit):
        click.echo(json.dumps(row, ensure_ascii=False))


@review_group.command("decide")
@click.argument("review_id")
@click.option("--verdict", type=click.Choice(["pass", "needs_changes", "intercept"]),
              required=True)  # fmt: skip
@click.option("--reason", required=True, help="why, in a sentence (kept with the label)")
@click.option("--reviewer", required=True)
@click.option("--now", type=WHEN)
@click.pass_obj
def decide_cmd(settings: Any, review_id: str, verdict: Any, reason: str, reviewer: str,
               now: When | None) -> None:  # fmt: skip
    """A reviewer's decision: it becomes the listing's verdict and a label. One JSON line."""
    from anxin.screening.reviews import AlreadyDecided, ReviewNotFound, decide

    try:
        got = decide(settings.sql_engine(create=False), review_id, verdict, reason, reviewer,
                     _at(settings, now))  # fmt: skip
    except ReviewNotFound:
        raise click.ClickException(f"no review {review_id!r}") from None
    except AlreadyDecided:
        raise click.ClickException(f"review {review_id!r} is already decided") from None
    click.echo(json.dumps(got))


@review_group.command("labels")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_obj
def labels_cmd(settings: Any, out: Path) -> None:
    """The decided reviews as a labelled CSV for `anxin screen train`. One JSON line."""
    from anxin.screening.reviews import labels_csv

    text = labels_csv(settings.sql_engine(create=False))
    out.write_text(text, encoding="utf-8")
    click.echo(json.dumps({"out": str(out), "labels": max(0, text.count("\n") - 1)}))
