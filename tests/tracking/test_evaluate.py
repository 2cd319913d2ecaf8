"""``anxin tracking evaluate``: leave-one-carrier-out over karrio's fixtures, one JSON line.

The counts asserted here are computed from karrio's parsed files directly (not by the code
under test), so the evaluator cannot quietly drop events it finds hard."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from anxin.tracking.cli import tracking_group
from anxin.tracking.evaluate import generic_only
from anxin.tracking.model import Kind

KEYS = {
    "evaluation",
    "overall",
    "target",
    "events_compared",
    "events_agreed",
    "events_skipped_unmapped",
    "events_skipped_copied_status",
    "carriers",
    "detection",
    "text_model",
}


def _karrio_counts(root: Path) -> tuple[int, int, int, int]:
    """(events with status and code, without status, with status but no code, payloads)."""
    compared = unmapped = copied = payloads = 0
    with (root / "INDEX.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["karrio_parsed_file"]]
    for row in rows:
        payloads += 1
        parsed = json.loads((root / row["carrier"] / row["karrio_parsed_file"]).read_text())
        details = parsed[0] if isinstance(parsed[0], list) else [parsed[0]]
        for d in details:
            for e in (d or {}).get("events") or []:
                if e.get("status") is None:
                    unmapped += 1
                elif e.get("code") is None:
                    copied += 1
                else:
                    compared += 1
    return compared, unmapped, copied, payloads


def _run(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(tracking_group, ["evaluate", *args])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1  # one JSON line
    report: dict[str, Any] = json.loads(lines[0])
    return report


def test_evaluate_prints_one_line_and_meets_the_target(fixtures_dir: Path) -> None:
    report = _run("--fixtures", str(fixtures_dir))
    assert set(report) == KEYS
    compared, unmapped, copied, payloads = _karrio_counts(fixtures_dir)
    assert (report["events_compared"], report["events_skipped_unmapped"]) == (compared, unmapped)
    assert report["events_skipped_copied_status"] == copied
    assert report["evaluation"] == "leave-one-carrier-out"
    assert report["overall"] == round(report["events_agreed"] / compared, 4)
    assert report["overall"] >= report["target"] == 0.90
    # Every carrier folder is reported, and the per-carrier counts add up.
    carriers = {p.name for p in fixtures_dir.iterdir() if p.is_dir()}
    assert set(report["carriers"]) == carriers
    assert sum(c["events"] for c in report["carriers"].values()) == compared
    # Error / not-found / auth answers and tracking answers told apart by shape alone.
    assert report["detection"]["payloads"] == payloads
    assert report["detection"]["agreement"] >= 0.95


def test_rules_only_is_a_lower_bound(fixtures_dir: Path) -> None:
    with_model = _run("--fixtures", str(fixtures_dir))
    rules = _run("--fixtures", str(fixtures_dir), "--rules-only")
    assert rules["text_model"] == "as given"
    assert rules["events_agreed"] <= with_model["events_agreed"]


def test_missing_fixtures_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(tracking_group, ["evaluate", "--fixtures", str(tmp_path)])
    assert result.exit_code != 0
    assert "carrier tracking fixtures not found" in result.output


def test_generic_path_alone_reads_every_tracking_fixture(fixtures_dir: Path) -> None:
    """Without its parser, each carrier's tracking answer still yields events, and each error
    answer yields no ok: nothing refused as unrecognised."""
    with (fixtures_dir / "INDEX.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        result = generic_only(
            (fixtures_dir / row["carrier"] / row["raw_payload_file"]).read_bytes()
        )
        assert result.errors or result.scans, row
        if int(row["n_events"]) > 0:
            assert result.kind is Kind.ok, row
            # Exact duplicates are dropped (Purolator's fixture repeats one scan).
            assert len(result.scans) >= int(row["n_events"]) - 1, row
        elif int(row["n_error_messages"]) > 0:
            assert result.kind is not Kind.ok, row
            assert not any("unrecognised" in e for e in result.errors), row
