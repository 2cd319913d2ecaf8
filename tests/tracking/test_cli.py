"""``anxin tracking parse``: JSON out for a Kuaidi100 file and for carrier fixture files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from anxin.tracking.cli import tracking_group

from .test_parsers import SF_SCANS, kuaidi100_json

FIELDS = {
    "carrier",
    "tracking_number",
    "kind",
    "errors",
    "status",
    "has_left",
    "has_arrived",
    "events",
}
EVENT_FIELDS = {"at", "status", "reason", "fault", "location", "code", "text"}


def run(*args: str, code: int = 0) -> dict[str, Any]:
    """The command's JSON; exit status 0 only when tracking was found (kind ok)."""
    result = CliRunner().invoke(tracking_group, ["parse", *args])
    assert result.exit_code == code, result.output
    out: dict[str, Any] = json.loads(result.stdout)
    assert out.keys() >= FIELDS
    for event in out["events"]:
        assert event.keys() >= EVENT_FIELDS
    return out


def test_kuaidi100_file(tmp_path: Path) -> None:
    path = tmp_path / "sf.json"
    path.write_text(kuaidi100_json(SF_SCANS), encoding="utf-8")
    out = run(str(path))
    assert (out["carrier"], out["tracking_number"], out["kind"], out["errors"]) == (
        "sf",
        "SF1234567890123",
        "ok",
        [],
    )
    assert (out["status"], out["has_left"], out["has_arrived"]) == ("delivered", True, True)
    assert [e["status"] for e in out["events"]] == [
        "picked_up",
        "at_hub",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert out["events"][0]["at"] == "2026-10-01T10:00:00+08:00"
    assert out["events"][-1]["text"] == "快件已签收，签收人：本人"
    assert out["first_hub_at"] == "2026-10-01T15:20:00+08:00"
    assert "parcels" not in out
    shifted = run(str(path), "--tz", "UTC")
    assert shifted["events"][0]["at"] == "2026-10-01T10:00:00+00:00"


def test_dhl_express_fixture_with_several_parcels(fixtures_dir: Path) -> None:
    out = run(str(fixtures_dir / "dhl_express" / "raw_TrackingResponseXML.xml"))
    assert (out["carrier"], out["kind"], out["tracking_number"]) == (
        "dhl_express",
        "ok",
        "3180831640",
    )
    assert (out["status"], out["has_left"], out["has_arrived"]) == ("delivered", True, True)
    assert out["events"][0]["at"] == "2009-08-28T13:26:00+00:00"
    assert [p["tracking_number"] for p in out["parcels"]] == [
        "3180831640",
        "7740842550",
        "1815115363",
    ]
    assert out["parcels"][1]["status"] == "picked_up"


def test_fedex_fixture_with_carrier_option(fixtures_dir: Path) -> None:
    path = fixtures_dir / "fedex" / "raw_DuplicateTrackingResponse.json"
    out = run(str(path), "--carrier", "fedex")
    assert (out["carrier"], out["kind"], out["status"]) == ("fedex", "ok", "delivered")
    failed = [e for e in out["events"] if e["status"] == "delivery_failed"]
    assert {e["reason"] for e in failed} == {"not_home", "unknown"}
    assert {e["fault"] for e in failed} == {"consumer", "unknown"}
    assert out["events"][-1]["at"] == "2024-04-26T09:26:00-07:00"


def test_error_fixture(fixtures_dir: Path) -> None:
    out = run(str(fixtures_dir / "ups" / "raw_AuthError.json"), code=1)
    assert (out["kind"], out["status"], out["events"], out["has_left"]) == (
        "auth_error",
        None,
        [],
        False,
    )
    assert out["errors"] == ["250003: Invalid Access License number"]


def test_bad_zone_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(tracking_group, ["parse", str(path), "--tz", "Nowhere/Land"])
    assert result.exit_code == 2
    assert "Nowhere/Land" in result.output


def test_garbage_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(b"garbage\x00\xff not json")
    result = CliRunner().invoke(tracking_group, ["parse", str(path)])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["kind"] == "error"
    assert "Error: error: not UTF-8 text" in result.stderr


def test_unknown_carrier_is_refused_listing_the_known(tmp_path: Path) -> None:
    path = tmp_path / "sf.json"
    path.write_text(kuaidi100_json(SF_SCANS), encoding="utf-8")
    result = CliRunner().invoke(tracking_group, ["parse", str(path), "--carrier", "NOPE"])
    assert result.exit_code == 2
    assert "unknown carrier 'NOPE'; known carriers:" in result.output
    assert "dhl_express" in result.output
    assert "sf" in result.output


def test_every_fixture_folder_is_a_known_carrier(fixtures_dir: Path) -> None:
    """Fixture folder names are accepted as --carrier, as the option's help says."""
    for folder in sorted(p for p in fixtures_dir.iterdir() if p.is_dir()):
        raw = next(f for f in sorted(folder.iterdir()) if f.name.startswith("raw_"))
        result = CliRunner().invoke(tracking_group, ["parse", str(raw), "--carrier", folder.name])
        assert result.exit_code in (0, 1), (folder.name, result.output)
        assert "unknown carrier" not in result.output, folder.name
