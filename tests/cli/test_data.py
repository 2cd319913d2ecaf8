"""``ANXIN_DATA``: one setting for where the shared data lives, used by commands and tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import anxin.data
from anxin.cli.main import main
from anxin.data import ENV, data_path, data_root
from tests.conftest import shared_data


def test_the_setting_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    assert data_root() == tmp_path


def test_default_is_shared_data_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    repo = Path(anxin.data.__file__).resolve().parents[2]  # src/anxin/data.py
    beside = repo.parent / "shared" / "data"
    expected = beside if beside.is_dir() else Path.cwd().parent / "shared" / "data"
    assert data_root() == expected


def test_default_falls_back_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed outside a checkout (no src/ above the package), ../shared/data is used."""
    monkeypatch.delenv(ENV, raising=False)
    fake = tmp_path / "site-packages" / "anxin" / "data.py"
    monkeypatch.setattr(anxin.data, "__file__", str(fake))
    work = tmp_path / "checkout"
    work.mkdir()
    monkeypatch.chdir(work)
    assert data_root() == tmp_path / "shared" / "data"


def test_names_resolve_under_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data" / "export").mkdir(parents=True)
    (tmp_path / "here").mkdir()
    monkeypatch.setenv(ENV, str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    assert data_path("export") == tmp_path / "data" / "export"
    assert data_path("here") == Path("here")  # a path that exists wins
    assert data_path("absent") == Path("absent")


def test_commands_take_a_name_under_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_export").mkdir()
    monkeypatch.setenv(ENV, str(tmp_path))
    monkeypatch.chdir(tmp_path.parent)
    found = CliRunner().invoke(main, ["score", "validate", "my_export"])
    assert found.exit_code == 1  # found, but empty: the export itself is refused
    assert f"{tmp_path}/my_export/olist_orders_dataset.csv does not exist" in found.output
    missing = CliRunner().invoke(main, ["score", "validate", "no_such_export"])
    assert missing.exit_code == 2
    assert f"neither a path nor a name under {ENV} ({tmp_path})" in missing.output


def test_missing_data_skips_locally_and_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=f"set {ENV}"):
        shared_data("some data", "absent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="some data not found"):
        shared_data("some data", "absent")
