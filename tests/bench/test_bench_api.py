"""``anxin bench api`` on a small stream: a real server process takes every event over HTTP, and
the line reports both rates and their ratio."""

from __future__ import annotations

from anxin.bench.api import run


def test_bench_api_reports_both_paths() -> None:
    result = run(orders=150, batch=500)
    assert result["events"] > 0
    assert result["api_events_per_s"] > 0
    assert result["inprocess_events_per_s"] > 0
    ratio = result["api_events_per_s"] / result["inprocess_events_per_s"]
    assert abs(result["ratio"] - ratio) < 0.01
