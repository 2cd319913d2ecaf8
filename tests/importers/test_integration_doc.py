"""``docs/integration.md`` §5 says what ``anxin import csv`` does: its worked example runs as
written, and its field tables list every field a mapping may name."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from anxin.domain.order import decode_state
from anxin.importers.mapping import FIELDS, MappingError, parse_mapping
from anxin.store.database import make_engine
from tests.importers.runner import run, summary

DOC = Path(__file__).resolve().parents[2] / "docs" / "integration.md"


def _section() -> str:
    text = DOC.read_text("utf-8")
    return text[text.index("## 5. Importing CSV exports") :]


def _blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w*)\n(.*?)```", text, flags=re.S)


def test_the_worked_example_runs_as_written(tmp_path: Path) -> None:
    example = _section()[_section().index("### A worked example") :]
    (_, sheets), (language, mapping) = _blocks(example)[:2]
    assert language == "yaml"
    files = []
    for chunk in sheets.strip().split("\n\n"):
        first, *rows = chunk.splitlines()
        header, name = re.match(r"^(\S+)\s+\((\S+)\)$", first).groups()  # type: ignore[union-attr]
        path = tmp_path / name
        path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
        files.append(path)
    (tmp_path / "acme.yaml").write_text(mapping, "utf-8")
    db = str(tmp_path / "doc.db")
    result = summary(run("--db", db, "import", "csv", "--mapping", tmp_path / "acme.yaml", *files))
    assert (result["orders"], result["shipped_orders"], result["cancelled_orders"]) == (2, 1, 1)
    assert result["skipped_rows"] == {}
    engine = make_engine(db)
    with engine.connect() as conn:
        raw = dict(conn.exec_driver_sql("select order_id, state from order_state").all())
    engine.dispose()
    a1 = decode_state(raw["A1"])
    assert (a1.amount, a1.currency) == (247899, "EUR")  # 2 x 1,234.50 + 9.99, as the doc says
    assert a1.placed_at == dt.datetime(2024, 5, 2, 7, 15, tzinfo=dt.UTC)
    assert [p.tracking_number for p in a1.parcels] == ["JJD000111"]


def test_the_field_tables_list_every_field() -> None:
    text = _section()
    for kind, fields in FIELDS.items():
        table = text[text.index(f"\n**{kind}**\n") :]
        table = table[: table.index("\n\n", table.index("|"))]
        assert re.findall(r"^\| `(\w+)` \|", table, flags=re.M) == list(fields), kind


def test_the_mapping_errors_shown_are_the_ones_raised() -> None:
    example = _section()[_section().index("### A worked example") :]
    mapping = _blocks(example)[1][1]
    shown = _blocks(_section()[_section().index("### The errors you will see") :])[0][1]
    changes = {
        "'done' is not a known status": ("bezahlt: paid", "bezahlt: paid, erledigt: done"),
        "`orders.columns.placed_at`": ("    placed_at: Datum\n", ""),
        "`orders.columns.placed`": (
            "    placed_at: Datum\n",
            "    placed_at: Datum\n    placed: x\n",
        ),
        "'Q' is a bad directive": ('"%d.%m.%Y %H:%M", ', '"%d.%m.%Y %H:%Q", '),
        "unknown time zone 'Berlin'": ("Europe/Berlin", "Berlin"),
    }
    for marker, (old, new) in changes.items():
        line = next(x for x in shown.splitlines() if marker in x)
        expected = line.removeprefix("Error: ").replace("…", "")
        with pytest.raises(MappingError) as caught:
            parse_mapping(mapping.replace(old, new, 1), "acme.yaml")
        assert str(caught.value).startswith(expected.rstrip(" )")), (str(caught.value), expected)
        assert caught.value.key is not None
