"""``anxin bench score`` at a tiny size: the JSON line's shape and both paths agreeing."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from anxin.bench.score import AS_OF, generate
from anxin.cli.main import main
from anxin.clock import to_us
from anxin.score.engines import _arrow_schema
from anxin.score.metrics import DAY_US
from anxin.store import schema as t

KEYS = {
    "orders", "merchants", "window_days", "seconds", "baseline_seconds", "ratio", "equal",
    "generate_seconds", "engine", "threads",
}  # fmt: skip


def test_bench_score_cli_prints_one_json_line_and_both_paths_agree() -> None:
    args = ["bench", "score", "--orders", "20000", "--merchants", "200", "--runs", "2"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert set(line) >= KEYS
    assert line["equal"] is True
    assert line["mismatched_merchants"] == 0
    assert (line["engine"], line["orders"], line["merchants"]) == ("duckdb", 20_000, 200)
    assert len(line["runs"]) == len(line["baseline_runs"]) == 2
    assert line["valid_orders_in_window"] > 0


def test_generated_files_match_the_export_schema_and_are_seeded(tmp_path: Path) -> None:
    orders, chats, n_chats = generate(tmp_path, 5_000, 50, seed=3, chunk=2_000)
    assert pq.read_schema(orders) == _arrow_schema(t.score_orders)
    assert pq.read_schema(chats) == _arrow_schema(t.score_chats)
    table = pq.read_table(orders)
    assert table.num_rows == 5_000
    assert pq.read_table(chats).num_rows == n_chats == 250
    assert len(set(table["order_id"].to_pylist())) == 5_000
    paid = table["paid_at_us"].to_numpy()
    as_of = to_us(AS_OF)
    assert paid.max() < as_of
    assert paid.min() >= as_of - 60 * DAY_US
    in_window = (paid >= as_of - 30 * DAY_US).mean()
    assert 0.4 < in_window < 0.6  # the 30-day window selects about half
    (tmp_path / "again").mkdir()
    again, _, _ = generate(tmp_path / "again", 5_000, 50, seed=3, chunk=2_000)
    assert pq.read_table(again).equals(table)
