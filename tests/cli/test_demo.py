"""`anxin demo --scale tiny` runs the whole main job and prints every section of the report."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from anxin.cli.main import main


def test_tiny_demo_prints_every_section(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["demo", "--scale", "tiny", "--db", str(tmp_path / "demo.db")], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    for title in (
        "Payouts to consumers, by reason",
        "Detection vs ground truth",
        "Merchant scores as of",
        "Lowest and highest scores",
        "Privileges (",
    ):
        assert title in result.output, title
