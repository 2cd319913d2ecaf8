from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from anxin.api.keys import (
    UnknownOrder,
    create_key,
    create_link,
    hash_secret,
    list_keys,
    list_links,
    revoke_key,
    revoke_link,
    verify_key,
    verify_link,
)
from anxin.clock import FixedClock
from anxin.store.schema import api_keys, link_tokens, order_state


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


# ----------------------------------------------------------------------------- scopes, links


@pytest.mark.parametrize(
    ("role", "scope", "error"),
    [
        ("merchant", {}, "must be bound to a merchant id"),
        ("consumer", {}, "must be bound to a consumer id"),
        ("merchant", {"consumer_id": "C1"}, "must be bound to a merchant id"),
        ("consumer", {"merchant_id": "M1", "consumer_id": "C1"}, "cannot be bound to a merchant"),
        ("operator", {"merchant_id": "M1"}, "cannot be bound to a merchant id"),
        ("ingest", {"consumer_id": "C1"}, "cannot be bound to a consumer id"),
        ("merchant", {"merchant_id": ""}, "1..128"),
    ],
)
def test_scopes_match_roles(
    sql_engine: sa.Engine, clock: FixedClock, role: str, scope: dict[str, str], error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        create_key(sql_engine, "x", role, clock=clock, **scope)  # type: ignore[arg-type]


def test_scoped_keys_carry_their_party(sql_engine: sa.Engine, clock: FixedClock) -> None:
    merchant = verify_key(sql_engine, create_key(sql_engine, "m", "merchant", clock=clock,
                                                 merchant_id="M1"))  # fmt: skip
    consumer = verify_key(sql_engine, create_key(sql_engine, "c", "consumer", clock=clock,
                                                 consumer_id="C1"))  # fmt: skip
    assert merchant is not None
    assert consumer is not None
    assert (merchant.merchant_id, merchant.consumer_id, merchant.scope) == (
        "M1",
        None,
        "merchant:M1",
    )
    assert (consumer.consumer_id, consumer.scope) == ("C1", "consumer:C1")
    assert {k.name: k.scope for k in list_keys(sql_engine)} == {
        "m": "merchant:M1",
        "c": "consumer:C1",
    }


def _an_order(sql_engine: sa.Engine, order_id: str = "O1") -> None:
    with sql_engine.begin() as conn:
        conn.execute(
            order_state.insert().values(
                order_id=order_id, merchant_id="M1", status="paid", version=1, state="{}"
            )
        )


def test_link_tokens(sql_engine: sa.Engine, clock: FixedClock) -> None:
    with pytest.raises(UnknownOrder):
        create_link(sql_engine, "O1", created_by="cli", clock=clock)
    _an_order(sql_engine)
    secret = create_link(sql_engine, "O1", created_by="cli", clock=clock)
    prefix, token_id, _ = secret.split("_", 2)
    assert prefix == "lnk"
    link = verify_link(sql_engine, secret)
    assert link is not None
    assert (link.token_id, link.order_id, link.created_by) == (token_id, "O1", "cli")
    with sql_engine.connect() as conn:
        stored = conn.execute(sa.select(link_tokens.c.token_hash)).scalar_one()
    assert stored == hash_secret(secret)
    assert secret not in stored
    assert verify_link(sql_engine, secret + "x") is None
    assert verify_link(sql_engine, f"anx_{token_id}_{secret.split('_', 2)[2]}") is None
    assert verify_key(sql_engine, secret) is None  # a link token is no API key
    assert revoke_link(sql_engine, token_id, clock=clock, order_id="O2") is False
    assert revoke_link(sql_engine, token_id, clock=clock) is True
    assert revoke_link(sql_engine, token_id, clock=clock) is False
    assert verify_link(sql_engine, secret) is None
    (listed,) = list_links(sql_engine, "O1")
    assert listed.revoked_at == clock.now()
    assert list_links(sql_engine, "O2") == []
