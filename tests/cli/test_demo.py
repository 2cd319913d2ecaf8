"""`anxin demo --scale tiny` runs the whole main job, prints every section of the report, keeps
its files in one folder, and ends with commands that work on its store as printed."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from anxin.cli.main import main
from anxin.store.database import make_engine


@pytest.fixture(scope="module")
def tiny_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(folder, output) of one tiny demo run from a working directory of its own."""
    home = tmp_path_factory.mktemp("demo-cwd")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(home)
        mp.delenv("ANXIN_DB", raising=False)
        result = CliRunner().invoke(main, ["demo", "--scale", "tiny", "--dir", "var/demo"])
    assert result.exit_code == 0, result.output
    return home, result.output


def test_tiny_demo_prints_every_section(tiny_demo: tuple[Path, str]) -> None:
    _, output = tiny_demo
    for title in (
        "Payouts to consumers, by reason",
        "After-sales rights as of",
        "After-sales refunds, granted and paid",
        "Detection vs ground truth",
        "Merchant scores as of",
        "Lowest and highest scores",
        "Privileges (",
        "Customer service: anxin's tools",
        "pre-identification sent",
        "Listing screening",
    ):
        assert title in output, title


def test_demo_writes_only_into_its_folder(tiny_demo: tuple[Path, str]) -> None:
    home, _ = tiny_demo
    assert sorted(p.name for p in home.iterdir()) == ["var"]
    written = {p.name for p in (home / "var" / "demo").iterdir()}
    sqlite_files = {"anxin-demo.db-wal", "anxin-demo.db-shm"}
    assert written - sqlite_files == {"anxin-demo.db", "events.jsonl", "truth.jsonl"}


def _next_commands(output: str) -> list[list[str]]:
    lines = output[output.index("Next:") :].splitlines()
    commands = [shlex.split(line.split("#")[0]) for line in lines if line.startswith("  anxin")]
    # without the program name; `serve` runs until stopped (the test below checks it)
    return [c[1:] for c in commands if "serve" not in c]


def test_next_steps_work_on_the_demo_store_as_printed(
    tiny_demo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, output = tiny_demo
    monkeypatch.chdir(home)
    monkeypatch.delenv("ANXIN_DB", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)  # pytest-xdist sets 80: read tables whole
    commands = _next_commands(output)
    assert [c[2:4] if c[2] == "score" else c[2:3] for c in commands] == [
        ["guarantees"],
        ["deadletter"],
        ["score", "explain"],
        ["score", "orders"],
    ]
    assert all(c[:2] == ["--db", "var/demo/anxin-demo.db"] for c in commands)
    assert "export ANXIN_DB=var/demo/anxin-demo.db" in output
    results = [CliRunner().invoke(main, c) for c in commands]
    for command, result in zip(commands, results, strict=True):
        assert result.exit_code == 0, (command, result.output)

    order_id = commands[0][3]
    hall = json.loads(results[0].output)
    assert hall["order_id"] == order_id
    sql = make_engine(str(home / "var" / "demo" / "anxin-demo.db"))
    with sql.connect() as conn:
        payouts = conn.execute(
            sa.text("SELECT count(*) FROM ledger_transactions WHERE txn_key LIKE :k"),
            {"k": f"payout:order:{order_id}:%"},
        ).scalar_one()
        merchant = conn.execute(
            sa.text("SELECT merchant_id FROM order_state WHERE order_id = :o"), {"o": order_id}
        ).scalar_one()
    sql.dispose()
    assert payouts > 0  # the order shown is one whose consumer was paid
    assert commands[2][4] == commands[3][4] == merchant
    assert "malformed_json" in results[1].output  # the demo's deliberately broken lines
    assert json.loads(results[2].output)["merchant_id"] == merchant


def test_the_demo_ends_with_the_pages_address_and_keys(tiny_demo: tuple[Path, str]) -> None:
    """The printed serve command and secrets open the pages on the demo's store."""
    import re

    from fastapi.testclient import TestClient

    from anxin.api.app import create_app
    from anxin.cli.options import parse_when
    from anxin.clock import FixedClock

    home, output = tiny_demo
    (serve,) = [shlex.split(x) for x in output.splitlines() if " serve --now " in x]
    assert serve[1:4] == ["--db", "var/demo/anxin-demo.db", "serve"]
    now = parse_when(serve[5]).instant
    assert now is not None
    link = re.search(r"/hall\?token=(\S+)", output)
    keys = re.findall(r"/signin, key (\S+)", output)
    assert link is not None
    assert len(keys) == 2  # the merchant's and the operator's
    db = home / "var" / "demo" / "anxin-demo.db"
    with TestClient(create_app(f"sqlite:///{db}", clock=FixedClock(now))) as client:
        for key, home_page in zip(keys, ["/portal", "/console"], strict=True):
            signed = client.post(
                "/signin",
                content=f"key={key}",
                follow_redirects=False,
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            assert (signed.status_code, signed.headers["location"]) == (303, home_page)
            client.cookies.clear()
        opened = client.get(f"/?token={link.group(1)}", follow_redirects=False)
        assert (opened.status_code, opened.headers["location"]) == (303, "/hall")


def test_next_steps_call_anxin_as_make_demo_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make demo` runs .venv/bin/anxin, which a fresh shell does not have on its PATH."""
    from anxin.cli.main import _program

    script = tmp_path / ".venv" / "bin" / "anxin"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setattr("sys.argv", [".venv/bin/anxin", "demo"])
    assert _program() == ".venv/bin/anxin"
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")
    script.chmod(0o755)
    assert _program() == "anxin"
    monkeypatch.setattr("sys.argv", ["/x/anxin/cli/main.py", "demo"])  # python -m anxin.cli.main
    assert _program() == "anxin"
