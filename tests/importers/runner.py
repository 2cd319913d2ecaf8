"""``anxin import`` under a stand-in root group, as the importer tests run it."""

from __future__ import annotations

import json
from typing import Any

import click
from click.testing import CliRunner, Result

from anxin.cli.main import Settings
from anxin.importers.cli import import_group


@click.group()
@click.option("--db")
@click.pass_context
def root(ctx: click.Context, db: str | None) -> None:
    """Stands in for ``anxin.cli.main.main``, which stores the same ``Settings``."""
    ctx.obj = Settings(db, "douyin")


root.add_command(import_group)


def run(*args: object, code: int = 0) -> Result:
    result = CliRunner().invoke(root, [str(a) for a in args])
    assert result.exit_code == code, result.output + repr(result.exception)
    return result


def summary(result: Result) -> dict[str, Any]:
    """The JSON summary, the last stdout line."""
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found
