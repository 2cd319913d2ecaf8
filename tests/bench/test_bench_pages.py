"""``anxin bench pages`` on a tiny demo world: every page route answers 200 with each role's
credentials, and the line carries each page's p50/p95 beside the bare endpoint's."""

from __future__ import annotations

from anxin.bench.pages import run


def test_bench_pages_times_every_page_beside_a_bare_endpoint() -> None:
    result = run(None, n=3)
    assert "/signin" in result["pages"]
    for figures in result["pages"].values():
        assert figures["status"] == 200
        assert 0 < figures["p50_ms"] <= figures["p95_ms"]
    assert result["bare"]["p95_ms"] > 0
    assert result["max_page_p95_ms"] == max(p["p95_ms"] for p in result["pages"].values())
    assert result["met"] == (result["max_page_p95_ms"] <= result["target_p95_ms"])
