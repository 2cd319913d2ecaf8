"""`anxin screen FILE` (JSON, JSON Lines, CSV with and without a header) and
`POST /v1/listings/screen`, with precise errors for what cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import create_key
from anxin.cli.main import main
from anxin.clock import FixedClock
from tests.conftest import NOW


def _screen(path: Path, *extra: str) -> tuple[int, list[dict[str, object]], str]:
    r = CliRunner().invoke(main, ["screen", str(path), *extra])
    lines = [json.loads(x) for x in r.output.splitlines() if x.startswith("{")]
    return r.exit_code, lines, r.output


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.json", '[{"listing_id": "L1", "title": "高仿手表", "category": "饰品"},'
                   ' {"listing_id": "L2", "title": "T恤", "category": "服饰"}]'),
        ("a.jsonl", '{"listing_id": "L1", "title": "高仿手表", "category": "饰品"}\n'
                    '{"listing_id": "L2", "title": "T恤", "category": "服饰"}\n'),
        ("a.csv", "listing_id,title,category,price\nL1,高仿手表,饰品,100\nL2,T恤,服饰,\n"),
        ("b.csv", 'L1,高仿手表,"[""饰品 >> 手表""]"\nL2,T恤,服饰\n'),  # Flipkart's shape
    ],
)  # fmt: skip
def test_screen_a_file(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, lines, output = _screen(path)
    assert code == 0, output
    assert [(x["listing_id"], x["verdict"]) for x in lines] == [("L1", "intercept"), ("L2", "pass")]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.json", '[{"listing_id": "L1"}]', "item 1"),  # no title
        ("bad.jsonl", '{"listing_id": "L1", "title": "x"}\n{oops\n', "line 2"),
        ("bad.csv", "listing_id,title,price\nL1,T恤,cheap\n", "row 2"),
    ],
)
def test_what_cannot_be_read_is_named(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, lines, output = _screen(path)
    assert code != 0
    assert lines == []
    assert message in output


def test_the_api_screens_one_or_many(db_url: str, sql_engine: sa.Engine) -> None:
    clock = FixedClock(NOW)
    with TestClient(create_app(db_url, clock=clock)) as client:
        op = {"X-API-Key": create_key(sql_engine, "op", "operator", clock=clock)}
        body = '{"listing_id": "L1", "title": "Herbal tea that cures colds"}'
        one = client.post("/v1/listings/screen", headers=op, content=body)
        assert one.status_code == 200
        (got,) = one.json()["results"]
        assert got["verdict"] == "intercept"
        assert got["hits"][0]["rule_id"] == "screening.medical_claim"
        assert got["hits"][0]["span"] == [16, 21]
        many = client.post("/v1/listings/screen", headers=op, content=json.dumps(
            {"listings": [{"listing_id": f"L{i}", "title": "T恤", "category": "服饰"}
                          for i in range(3)]}))  # fmt: skip
        assert [x["verdict"] for x in many.json()["results"]] == ["pass"] * 3
        bad = client.post("/v1/listings/screen", headers=op, content='{"listing_id": "L1"}')
        assert bad.status_code == 422
        assert "title" in bad.json()["error"]["message"]
