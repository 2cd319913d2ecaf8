"""The ``simulate`` and ``bench simulate`` commands (registered by anxin.cli.main)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from anxin.contract.decode import Rejected, decode_event
from anxin.sim.cli import bench_simulate, simulate


def test_simulate_writes_both_streams(tmp_path: Path) -> None:
    out, truth = tmp_path / "events.jsonl", tmp_path / "truth.jsonl"
    args = [
        "--scale",
        "tiny",
        "--seed",
        "4",
        "--days",
        "2",
        "--carriers",
        "sf,zto,dhl",
        "--start",
        "2026-11-10T00:00+08:00",
        "--out",
        str(out),
        "--truth",
        str(truth),
    ]
    result = CliRunner().invoke(simulate, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    lines = out.read_bytes().splitlines()
    assert summary["events"] == len(lines) > 1000
    assert summary["orders"] == summary["events_by_type"]["order.placed"]
    assert sum(summary["truth"].values()) == len(truth.read_bytes().splitlines())
    assert not any(isinstance(decode_event(x), Rejected) for x in lines)
    carriers = {json.loads(x)["payload"].get("carrier") for x in lines} - {None}
    assert carriers <= {"SF", "ZTO", "DHL"}
    again = CliRunner().invoke(simulate, args)  # with the progress bar and one-line summary
    assert again.exit_code == 0, again.output
    assert "orders" in again.output
    assert out.read_bytes().splitlines() == lines


def test_simulate_refuses_bad_input(tmp_path: Path) -> None:
    base = ["--scale", "tiny", "--out", str(tmp_path / "e"), "--truth", str(tmp_path / "t")]
    naive = CliRunner().invoke(simulate, [*base, "--start", "2026-10-01T00:00"])
    assert naive.exit_code != 0
    assert "offset" in naive.output
    unknown = CliRunner().invoke(simulate, [*base, "--carriers", "SF,NOPE"])
    assert unknown.exit_code != 0
    assert "NOPE" in unknown.output


def test_bench_prints_one_json_line() -> None:
    result = CliRunner().invoke(bench_simulate, ["--orders", "3000"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert line["bench"] == "simulate"
    assert abs(line["orders"] - 3000) < 600
    for key in ("events", "seconds", "orders_per_s", "events_per_s", "peak_rss_mb"):
        assert line[key] > 0
