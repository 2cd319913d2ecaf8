"""`anxin apikey`: scoped keys are refused without their party; link tokens by the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.cli.main import main
from tests.api.world import batch, order_events


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", db_url, *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["--role", "merchant"],
        ["--role", "consumer"],
        ["--role", "merchant", "--consumer", "C1"],
        ["--role", "consumer", "--merchant", "M1"],
        ["--role", "operator", "--merchant", "M1"],
        ["--role", "ingest", "--consumer", "C1"],
    ],
)
def test_create_refuses_a_scope_that_does_not_fit_the_role(db_url: str, args: list[str]) -> None:
    code, output = run(db_url, "apikey", "create", "k", *args)
    assert code == 2, output
    assert "bound to" in output


def test_scoped_keys_and_link_tokens_end_to_end(db_url: str) -> None:
    code, operator = run(db_url, "apikey", "create", "ops", "--role", "operator")
    assert code == 0, operator
    code, merchant = run(
        db_url, "apikey", "create", "shop", "--role", "merchant", "--merchant", "M1"
    )
    assert code == 0, merchant
    code, listing = run(db_url, "apikey", "list")
    assert "[merchant:M1]" in listing
    assert merchant.strip() not in listing

    with TestClient(create_app(db_url)) as client:
        ops = {"X-API-Key": operator.strip()}
        events = order_events("O1", "M1", "C1") + order_events("O2", "M2", "C2")
        assert client.post("/v1/events", content=batch(events), headers=ops).status_code == 200
        shop = {"X-API-Key": merchant.strip()}
        assert client.get("/v1/orders/O1/guarantees", headers=shop).status_code == 200
        assert client.get("/v1/orders/O2/guarantees", headers=shop).status_code == 404

        code, output = run(db_url, "apikey", "link", "nope")
        assert code == 1
        assert "no order 'nope'" in output
        code, token = run(db_url, "apikey", "link", "O1")
        assert code == 0, token
        link = {"X-Link-Token": token.strip()}
        assert client.get("/v1/orders/O1/guarantees", headers=link).status_code == 200
        assert client.get("/v1/orders/O2/guarantees", headers=link).status_code == 404
        token_id = token.strip().split("_")[1]
        code, links = run(db_url, "apikey", "links", "O1")
        assert token_id in links
        assert token.strip() not in links
        assert run(db_url, "apikey", "unlink", token_id)[0] == 0
        assert client.get("/v1/orders/O1/guarantees", headers=link).status_code == 401
        assert run(db_url, "apikey", "unlink", token_id)[0] == 1
