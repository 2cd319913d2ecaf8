"""`anxin bench service` prints one JSON line with the suggestion's and the bare read's
percentiles (no timing is asserted: machines differ)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from anxin.cli.main import main


def test_bench_service_prints_one_json_line() -> None:
    result = CliRunner().invoke(main, ["bench", "service", "--suggestions", "40"])
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    got = json.loads(line)
    assert got["bench"] == "service"
    assert got["suggestions"] == 40
    assert got["orders"] > 1_000
    for key in ("p50_ms", "p99_ms", "bare_p50_ms", "bare_p99_ms", "ratio"):
        assert got[key] > 0, key
    assert got["p50_ms"] <= got["p99_ms"]
