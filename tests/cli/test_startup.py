"""`anxin --help` answers at once: it imports no database, dataframe or engine module (checked
on what is imported, not on a timing), and the commands it lists without importing them carry
their own help."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest

from anxin.cli.main import LAZY_BENCHES, LAZY_COMMANDS, LazyGroup, bench, main

HEAVY = (
    "sqlalchemy",
    "alembic",
    "ibis",
    "numpy",
    "pyarrow",
    "duckdb",
    "fastapi",
    "uvicorn",
    "msgspec",
    "yaml",
    "rich",
    "anxin.engine",
    "anxin.store",
    "anxin.application",
    "anxin.policy",
    "anxin.sim",
    "anxin.score",
    "anxin.tracking",
    "anxin.importers",
)


def _imported_by(*args: str) -> set[str]:
    """Modules a fresh interpreter imports to run ``anxin ARGS`` (from ``-X importtime``)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPROFILEIMPORTTIME"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "anxin.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.mark.parametrize("args", [["--help"], ["bench", "--help"], ["tick", "--help"]])
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    modules = _imported_by(*args)
    assert "click" in modules  # the parse above read real output
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY))
    assert heavy == []


@pytest.mark.parametrize(
    ("group", "lazy"), [(main, LAZY_COMMANDS), (bench, LAZY_BENCHES)], ids=["anxin", "bench"]
)
def test_lazy_commands_list_their_own_help(
    group: LazyGroup, lazy: dict[str, tuple[str, str]]
) -> None:
    ctx = click.Context(group)
    for name, (_, declared) in lazy.items():
        command = group.load(name)
        assert click.Command(name, help=declared).get_short_help_str(500) == (
            command.get_short_help_str(500)
        ), name
        assert group.get_command(ctx, name) is command
    assert set(lazy) <= set(group.list_commands(ctx))


def test_score_engine_names_match_the_engines_module() -> None:
    from anxin.score import cli, engines

    assert cli.ENGINES == engines.ENGINES
