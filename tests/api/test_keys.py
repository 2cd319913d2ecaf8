from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from anxin.api.keys import create_key, hash_secret, list_keys, revoke_key, verify_key
from anxin.clock import FixedClock
from anxin.store.schema import api_keys


def test_create_verify_revoke_list(sql_engine: sa.Engine, clock: FixedClock) -> None:
    secret = create_key(sql_engine, "feed", "ingest", clock=clock)
    prefix, key_id, random_part = secret.split("_", 2)
    assert prefix == "anx"
    assert len(random_part) >= 40

    key = verify_key(sql_engine, secret)
    assert key is not None
    assert (key.key_id, key.name, key.role) == (key_id, "feed", "ingest")
    assert key.created_at == clock.now()
    assert key.revoked_at is None

    other = create_key(sql_engine, "ops", "operator", clock=clock)
    assert sorted(k.name for k in list_keys(sql_engine)) == ["feed", "ops"]

    clock.advance(dt.timedelta(hours=1))
    assert revoke_key(sql_engine, key_id, clock=clock) is True
    assert revoke_key(sql_engine, key_id, clock=clock) is False  # already revoked
    assert revoke_key(sql_engine, "nope", clock=clock) is False
    assert verify_key(sql_engine, secret) is None
    assert verify_key(sql_engine, other) is not None

    by_id = {k.key_id: k for k in list_keys(sql_engine)}
    assert by_id[key_id].revoked_at == clock.now()


def test_stored_hash_is_not_the_secret(sql_engine: sa.Engine, clock: FixedClock) -> None:
    secret = create_key(sql_engine, "feed", "ingest", clock=clock)
    with sql_engine.connect() as conn:
        stored = conn.execute(sa.select(api_keys.c.key_hash)).scalar_one()
    assert stored != secret
    assert secret not in stored
    assert stored == hash_secret(secret)


@pytest.mark.parametrize(
    "guess",
    ["", "anx", "anx__x", "nope_abc_def", "anx_{id}_wrong", "anx_0000000000000000_x"],
)
def test_wrong_secrets_fail(sql_engine: sa.Engine, clock: FixedClock, guess: str) -> None:
    secret = create_key(sql_engine, "feed", "ingest", clock=clock)
    key_id = secret.split("_")[1]
    assert verify_key(sql_engine, guess.format(id=key_id)) is None


def test_bad_role_or_name_refused(sql_engine: sa.Engine, clock: FixedClock) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        create_key(sql_engine, "x", "admin", clock=clock)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        create_key(sql_engine, "", "operator", clock=clock)
