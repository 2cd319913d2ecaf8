"""The command line, through click's runner, on the store of the test's backend."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from anxin.cli.main import main
from anxin.clock import to_us
from anxin.sample import example_lines
from tests.conftest import NOW


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_ingest_tick_and_deadletters(db_url: str, sql_engine: sa.Engine, tmp_path: Path) -> None:
    lines = example_lines(100, 4)
    lines.insert(10, b'{"id": "x", bad json')
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    report = json.loads(
        run("--db", db_url, "ingest", str(path), "--now", NOW.isoformat(), "--json")
    )
    assert report["accepted"] == len(lines) - 1
    assert report["rejected"] == 1

    tick_at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)

    def pending_due() -> int:
        with sql_engine.connect() as conn:
            count: int = conn.execute(
                sa.text(
                    "SELECT count(*) FROM deadlines WHERE status = 'pending' AND due_at_us <= :at"
                ),
                {"at": to_us(tick_at)},
            ).scalar_one()
        return count

    # Ingest only schedules: the deadlines due by the tick wait for it.
    assert pending_due() > 0
    fired = json.loads(run("--db", db_url, "tick", "--now", tick_at.isoformat()))
    assert fired["fired"] > 0
    assert pending_due() == 0  # every deadline due by the tick fired
    again = json.loads(run("--db", db_url, "tick", "--now", tick_at.isoformat()))
    assert again["fired"] == 0  # and exactly once

    rows = [json.loads(x) for x in run("--db", db_url, "deadletter", "list", "--json").splitlines()]
    assert [(r["code"], r["position"], r["source"]) for r in rows] == [
        ("malformed_json", 11, "file:events.jsonl")
    ]
    assert rows[0]["raw"] == '{"id": "x", bad json'


def test_policy_validate_and_show(tmp_path: Path) -> None:
    assert "ok douyin: 2 version(s)" in run("policy", "validate", "douyin")
    shown = run("policy", "show", "douyin", "--at", "2026-01-01T00:00:00+08:00")
    assert "2025-09-29 ← in" in shown
    broken = tmp_path / "broken.yaml"
    broken.write_text("pack: x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["policy", "validate", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}: version:" in result.output.replace("\n", "")


def test_naive_now_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["tick", "--now", "2026-11-20T00:00:00"])
    assert result.exit_code == 2
    assert "has no UTC offset" in result.output


def test_ingest_survives_a_non_utf8_line_and_a_too_deep_line_and_so_does_a_restart(
    db_url: str, tmp_path: Path
) -> None:
    """Found in trial: either line crashed ``anxin ingest``, and every restart on it."""
    lines = example_lines(3, 1)
    lines.insert(2, lines[2].replace(b'"source":"', b'"source":"\xb1', 1))
    lines.insert(5, b'{"id":"deep","payload":{"a":' + b"[" * 1000 + b"]" * 1000 + b"}}")
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    args = ("--db", db_url, "ingest", str(path), "--now", NOW.isoformat(), "--json")

    first = json.loads(run(*args))
    assert (first["accepted"], first["rejected"]) == (len(lines) - 2, 2)
    again = json.loads(run(*args))  # a restart on the same file
    assert (again["duplicates"], again["rejected"]) == (len(lines) - 2, 2)

    rows = [json.loads(x) for x in run("--db", db_url, "deadletter", "list", "--json").splitlines()]
    found = sorted((r["position"], r["code"]) for r in rows)
    assert found == [(3, "invalid_utf8"), (6, "too_deep")]
