"""What every command shares: dates and instants read one way, read-only commands that never
create a store, filters that refuse unknown values, tables kept whole when piped."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner

from anxin.application import load_policy
from anxin.cli.main import main
from anxin.cli.options import parse_when
from anxin.contract.decode import ERROR_CODES
from anxin.sample import example_lines

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Every option that takes a date or an instant, as (command line, placeholder for the value).
# Stores are missing on purpose: a value that parses reaches the store and is refused there
# (exit 1, "no store at"), which shows the option accepted it before anything was opened.
WHEN_OPTIONS: dict[str, str] = {
    "ingest --now": "--db {missing} ingest {events} --now {v}",
    "tick --now": "--db {missing} tick --now {v}",
    "guarantees --now": "--db {missing} guarantees O1 --now {v}",
    "policy show --at": "policy show douyin --at {v}",
    "score --as-of": "--db {missing} score --as-of {v}",
    "score explain --day": "--db {missing} score explain M1 --day {v}",
    "score orders --as-of": "--db {missing} score orders M1 product_rating --as-of {v}",
    "score validate --as-of": "score validate {empty} --as-of {v}",
    "simulate --start": "simulate --scale tiny --days 1 --merchants 1 --start {v} "
    "--out {out} --truth {truth} --json",
}
GOOD = ["2026-10-01", "2026-10-01T08:00:00+08:00", "2026-10-01T00:00:00Z"]
BAD = [
    ("2026-10-01T08:00:00", "has no UTC offset"),
    ("2026-13-01", "is not an ISO 8601 date"),
    ("yesterday", "is not an ISO 8601 instant"),
]


def _args(template: str, value: str, tmp_path: Path) -> list[str]:
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(example_lines(2, 1)) + b"\n")
    (tmp_path / "empty").mkdir(exist_ok=True)
    names = {
        "missing": str(tmp_path / "missing" / "store.db"),
        "events": str(events),
        "empty": str(tmp_path / "empty"),
        "out": str(tmp_path / "sim-events.jsonl"),
        "truth": str(tmp_path / "sim-truth.jsonl"),
        "v": value,
    }
    return [part.format(**names) for part in template.split()]


def _invoke(args: list[str]) -> click.testing.Result:
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize("value", GOOD)
@pytest.mark.parametrize("option", sorted(WHEN_OPTIONS))
def test_every_date_option_accepts_dates_and_instants(
    option: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANXIN_DB", raising=False)
    result = _invoke(_args(WHEN_OPTIONS[option], value, tmp_path))
    assert result.exit_code != 2, result.output
    assert "Invalid value" not in result.output
    if result.exit_code != 0:  # it got past parsing, to the store or the export
        assert "no store at" in result.output or "olist_orders_dataset.csv" in result.output


@pytest.mark.parametrize(("value", "why"), BAD)
@pytest.mark.parametrize("option", sorted(WHEN_OPTIONS))
def test_every_date_option_refuses_the_same_values(
    option: str, value: str, why: str, tmp_path: Path
) -> None:
    result = _invoke(_args(WHEN_OPTIONS[option], value, tmp_path))
    assert result.exit_code == 2, result.output
    flag = option.split()[-1]
    assert f"Invalid value for '{flag}'" in result.output
    assert why in " ".join(result.output.split())


def test_a_date_is_the_start_of_the_day_in_the_zone_given() -> None:
    when = parse_when("2026-10-07")
    assert when.at(SHANGHAI) == dt.datetime(2026, 10, 6, 16, tzinfo=dt.UTC)
    assert when.local_day(SHANGHAI) == dt.date(2026, 10, 7)
    instant = parse_when("2026-10-06T17:00:00Z")
    assert instant.at(SHANGHAI) == dt.datetime(2026, 10, 6, 17, tzinfo=dt.UTC)
    assert instant.local_day(SHANGHAI) == dt.date(2026, 10, 7)  # 01:00 in Shanghai


def test_policy_show_reads_a_date_in_the_packs_zone() -> None:
    # douyin's second version is in force from 2025-09-29 00:00 Asia/Shanghai.
    before = _invoke(["policy", "show", "douyin", "--at", "2025-09-28T23:59:59+08:00"]).output
    on_the_day = _invoke(["policy", "show", "douyin", "--at", "2025-09-29"]).output
    assert "2025-09-29 ← in" not in before
    assert "2025-09-29 ← in" in on_the_day


READ_ONLY = [
    ["guarantees", "O1"],
    ["deadletter", "list"],
    ["apikey", "list"],
    ["apikey", "revoke", "k1"],
    ["tick"],
    ["score", "--as-of", "2026-10-01"],
    ["score", "explain", "M1"],
    ["score", "orders", "M1", "product_rating", "--as-of", "2026-10-01"],
    ["export", "parquet", "{out}"],
]


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_commands_that_read_a_store_never_create_one(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "nowhere" / "anxin.db"
    args = [part.format(out=tmp_path / "parquet") for part in command]
    monkeypatch.setenv("ANXIN_DB", str(store))
    result = _invoke(args)
    assert result.exit_code == 1, result.output
    assert f"no store at {store}" in " ".join(result.output.split())
    assert not store.exists()
    assert not store.parent.exists()


def _store_with_dead_letter(tmp_path: Path, line: bytes) -> str:
    db = str(tmp_path / "store.db")
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join([*example_lines(2, 1), line]) + b"\n")
    now = "2026-11-24T12:00:00+00:00"
    result = _invoke(["--db", db, "ingest", str(events), "--now", now, "--json"])
    assert result.exit_code == 0, result.output
    return db


def test_deadletter_code_filter_refuses_unknown_codes(tmp_path: Path) -> None:
    db = _store_with_dead_letter(tmp_path, b'{"id": "x", bad json')
    refused = _invoke(["--db", db, "deadletter", "list", "--code", "NOPE"])
    assert refused.exit_code == 2
    output = " ".join(refused.output.split())
    assert "'NOPE' is not a dead-letter code; known: absurd_date, conflict," in output
    known = _invoke(["--db", db, "deadletter", "list", "--code", "conflict", "--json"])
    assert (known.exit_code, known.output) == (0, "")
    found = _invoke(["--db", db, "deadletter", "list", "--code", "malformed_json", "--json"])
    assert found.exit_code == 0
    assert '"code": "malformed_json"' in found.output


def test_codes_listed_cover_the_contracts_cases() -> None:
    from tests.contract.test_bad_input import CASES

    codes = {param.values[0].code for param in CASES}
    assert codes <= ERROR_CODES, codes - ERROR_CODES


def test_a_piped_table_keeps_long_values_whole(tmp_path: Path) -> None:
    field = "a_field_name_long_enough_to_be_folded_at_eighty_columns_" * 3
    line = (
        b'{"id": "long-1", "type": "order.paid", "occurred_at": "2026-10-02T10:00:00+08:00",'
        b' "source": "t", "' + field.encode() + b'": 1, "payload": {}}'
    )
    db = _store_with_dead_letter(tmp_path, line)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_TERMINAL")}
    piped = subprocess.run(
        [sys.executable, "-m", "anxin.cli.main", "--db", db, "deadletter", "list"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert field in piped  # on one line, not folded
    policy = subprocess.run(
        [sys.executable, "-m", "anxin.cli.main", "policy", "show", "douyin"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    book = load_policy("douyin")
    assert all(version.file in policy for version in book.versions)  # whole, not cut with …


def test_unknown_score_indicator_is_refused_listing_the_known(tmp_path: Path) -> None:
    result = _invoke(
        ["--db", str(tmp_path / "x.db"), "score", "orders", "M1", "nope", "--as-of", "2026-10-01"]
    )
    assert result.exit_code == 2
    assert "'nope' is not measured over orders; order indicators:" in result.output
    assert "product_rating" in result.output
    assert not (tmp_path / "x.db").exists()
