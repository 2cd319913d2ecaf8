"""Dead letters over HTTP: paging, the code filter, replay (accepted, still refused, absent)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import create_key
from anxin.clock import FixedClock
from anxin.store import schema as t
from tests.api.world import NOW, batch, order_events, unknown_type_event


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def client(db_url: str, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(db_url, clock=clock)) as c:
        yield c


@pytest.fixture
def operator(sql_engine: sa.Engine, clock: FixedClock) -> dict[str, str]:
    return {"X-API-Key": create_key(sql_engine, "ops", "operator", clock=clock)}


def future_event(days: float) -> bytes:
    """A valid order.placed dated ``days`` after the clock: refused as absurd_date today."""
    raw = json.loads(order_events("OF", "MA", "CA")[0])
    raw["occurred_at"] = (NOW + dt.timedelta(days=days)).isoformat()
    return json.dumps(raw).encode()


def ingest(client: TestClient, operator: dict[str, str], *events: bytes) -> None:
    r = client.post("/v1/events", content=batch(list(events)), headers=operator)
    assert r.status_code == 200, r.text


def ids(sql: sa.Engine) -> set[str]:
    with sql.connect() as conn:
        return set(conn.execute(sa.select(t.dead_letters.c.dead_letter_id)).scalars())


def test_pages_and_filters(
    client: TestClient, operator: dict[str, str], sql_engine: sa.Engine
) -> None:
    ingest(client, operator, *(unknown_type_event(f"bad-{i}") for i in range(3)))
    ingest(client, operator, future_event(3))
    seen: list[str] = []
    after = None
    for _ in range(5):
        params: dict[str, str | int] = (
            {"limit": 3} if after is None else {"limit": 3, "after": after}
        )
        r = client.get("/v1/deadletters", params=params, headers=operator)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [d["dead_letter_id"] for d in page["dead_letters"]]
        after = page["next_after"]
        if after is None:
            break
    assert len(seen) == len(set(seen)) == 4
    assert set(seen) == ids(sql_engine)

    r = client.get("/v1/deadletters", params={"code": "absurd_date"}, headers=operator)
    (only,) = r.json()["dead_letters"]
    assert only["code"] == "absurd_date"
    assert '"OF"' in only["raw"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": 0}, "invalid_request"),
        ({"limit": 501}, "invalid_request"),
        ({"after": "nope"}, "invalid_request"),
        ({"code": "no_such_code"}, "unknown_code"),
    ],
)
def test_bad_parameters_answer_the_one_error_body(
    client: TestClient, operator: dict[str, str], params: dict[str, object], code: str
) -> None:
    r = client.get("/v1/deadletters", params=params, headers=operator)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == code
    assert r.json()["error"]["message"]


def test_replay_accepts_once_the_cause_is_gone(
    client: TestClient, operator: dict[str, str], sql_engine: sa.Engine, clock: FixedClock
) -> None:
    ingest(client, operator, future_event(3))
    (dead,) = ids(sql_engine)
    r = client.post(f"/v1/deadletters/{dead}/replay", headers=operator)
    assert r.status_code == 200
    body = r.json()
    assert (body["outcome"], body["error"]["code"]) == ("rejected", "absurd_date")
    assert body["dead_letter_id"] == dead  # same code and path: the same dead letter stays
    assert ids(sql_engine) == {dead}

    clock.advance(dt.timedelta(days=3))
    r = client.post(f"/v1/deadletters/{dead}/replay", headers=operator)
    assert r.json() == {
        "replayed": dead, "outcome": "accepted", "event_id": "OF-p", "error": None,
        "dead_letter_id": None,
    }  # fmt: skip
    assert ids(sql_engine) == set()
    with sql_engine.connect() as conn:
        logged = conn.execute(sa.select(t.events.c.type).where(t.events.c.event_id == "OF-p"))
        assert logged.scalar_one() == "order.placed"
    assert client.post(f"/v1/deadletters/{dead}/replay", headers=operator).status_code == 404


def test_replay_of_an_event_re_sent_since_is_a_duplicate(
    client: TestClient, operator: dict[str, str], sql_engine: sa.Engine, clock: FixedClock
) -> None:
    ingest(client, operator, future_event(3))
    (dead,) = ids(sql_engine)
    clock.advance(dt.timedelta(days=3))
    ingest(client, operator, future_event(3))  # the sender re-sent the same bytes: accepted
    r = client.post(f"/v1/deadletters/{dead}/replay", headers=operator)
    assert (r.json()["outcome"], r.json()["dead_letter_id"]) == ("duplicate", None)
    assert ids(sql_engine) == set()


def test_a_new_error_replaces_the_old_dead_letter(
    client: TestClient, operator: dict[str, str], sql_engine: sa.Engine, clock: FixedClock
) -> None:
    ingest(client, operator, future_event(3))
    (dead,) = ids(sql_engine)
    clock.advance(dt.timedelta(days=3))
    ingest(client, operator, future_event(0))  # the same id, other content, accepted first
    r = client.post(f"/v1/deadletters/{dead}/replay", headers=operator)
    body = r.json()
    assert (body["outcome"], body["error"]["code"]) == ("rejected", "conflict")
    assert body["dead_letter_id"] != dead
    assert ids(sql_engine) == {body["dead_letter_id"]}  # the new error replaced the old row
