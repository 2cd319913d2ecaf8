"""`anxin outbox list` on a store whose messages have nowhere to go yet says where they are."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from anxin.application import open_store
from anxin.cli.main import main
from tests.delivery.helpers import messages, write


def test_an_empty_list_with_messages_waiting_says_how_to_send_them(tmp_path: Path) -> None:
    db = str(tmp_path / "anxin.db")
    sql = open_store(db)
    write(sql, messages(orders=3, per_order=2))
    sql.dispose()
    result = CliRunner().invoke(main, ["--db", db, "outbox", "list"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "no deliveries yet: 6 messages in the outbox, 0 webhook endpoint(s)" in result.stderr
    assert "anxin webhook add URL" in result.stderr


def test_a_filtered_empty_list_stays_quiet(tmp_path: Path) -> None:
    db = str(tmp_path / "anxin.db")
    sql = open_store(db)
    write(sql, messages(orders=1, per_order=1))
    sql.dispose()
    result = CliRunner().invoke(main, ["--db", db, "outbox", "list", "--status", "failed"])
    assert (result.exit_code, result.output) == (0, "")
