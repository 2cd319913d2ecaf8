"""API keys and link tokens: stored as a SHA-256 hash, the secret itself is shown once.

A key's secret reads ``anx_<key_id>_<random>``. The key id is public (it names the key in
listings and revocations); only the random part is secret. Verification looks the key up by its
id and compares hashes in constant time, so response timing says nothing about the secret.

Scope: an ``operator`` key sees everything; a ``merchant`` key is bound to one merchant id and a
``consumer`` key to one consumer id (each sees only its own shop or orders); an ``ingest`` key
only writes events. A link token (``lnk_<token_id>_<random>``) opens one order's guarantee hall
to whoever holds it; operators create and revoke them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

import sqlalchemy as sa

from anxin.clock import Clock, from_us, to_us
from anxin.store.schema import api_keys, link_tokens, order_state

Role = Literal["operator", "merchant", "consumer", "ingest"]
ROLES: frozenset[str] = frozenset(get_args(Role))

PREFIX = "anx"
LINK_PREFIX = "lnk"
# 32 random bytes: far beyond guessing, and the hash needs no salt or slow KDF.
SECRET_BYTES = 32
MAX_NAME = 128


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    role: Role
    created_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    merchant_id: str | None = None  # the merchant a merchant key is bound to
    consumer_id: str | None = None  # the consumer a consumer key is bound to

    @property
    def scope(self) -> str:
        """``merchant:M1``, ``consumer:C1`` or the empty string (unscoped roles)."""
        if self.merchant_id is not None:
            return f"merchant:{self.merchant_id}"
        if self.consumer_id is not None:
            return f"consumer:{self.consumer_id}"
        return ""


@dataclass(frozen=True)
class LinkToken:
    token_id: str
    order_id: str
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class UnknownOrder(LookupError):
    """A link token was asked for an order the store does not hold."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _key_id(secret: str, prefix: str = PREFIX) -> str | None:
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != prefix or not parts[1] or not parts[2]:
        return None
    return parts[1]


def _new_secret(prefix: str) -> tuple[str, str]:
    public_id = secrets.token_hex(8)  # hex: never contains the "_" separator
    return public_id, f"{prefix}_{public_id}_{secrets.token_urlsafe(SECRET_BYTES)}"


def _row_to_key(row: sa.Row[*tuple[Any, ...]]) -> ApiKey:
    return ApiKey(
        key_id=row.key_id,
        name=row.name,
        role=cast(Role, row.role),
        created_at=from_us(row.created_at_us),
        revoked_at=None if row.revoked_at_us is None else from_us(row.revoked_at_us),
        merchant_id=row.merchant_id,
        consumer_id=row.consumer_id,
    )


_COLUMNS = (
    api_keys.c.key_id,
    api_keys.c.name,
    api_keys.c.role,
    api_keys.c.created_at_us,
    api_keys.c.revoked_at_us,
    api_keys.c.merchant_id,
    api_keys.c.consumer_id,
)


def check_scope(role: str, merchant_id: str | None, consumer_id: str | None) -> None:
    """A merchant key names its merchant, a consumer key its consumer, other roles neither."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {sorted(ROLES)}")
    for party, value in (("merchant", merchant_id), ("consumer", consumer_id)):
        if value is not None and not 1 <= len(value) <= MAX_NAME:
            raise ValueError(f"a {party} id must be 1..{MAX_NAME} characters")
        if role == party and value is None:
            raise ValueError(f"a {party} key must be bound to a {party} id")
        if role != party and value is not None:
            raise ValueError(f"a {role} key cannot be bound to a {party} id")


def create_key(
    engine: sa.Engine,
    name: str,
    role: Role,
    *,
    clock: Clock,
    merchant_id: str | None = None,
    consumer_id: str | None = None,
) -> str:
    """Create a key and return its full secret; it cannot be recovered later. A merchant key
    needs ``merchant_id``, a consumer key ``consumer_id``; other roles take neither."""
    check_scope(role, merchant_id, consumer_id)
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"key name must be 1..{MAX_NAME} characters")
    key_id, secret = _new_secret(PREFIX)
    with engine.begin() as conn:
        conn.execute(
            api_keys.insert().values(
                key_id=key_id,
                name=name,
                role=role,
                key_hash=hash_secret(secret),
                created_at_us=to_us(clock.now()),
                revoked_at_us=None,
                merchant_id=merchant_id,
                consumer_id=consumer_id,
            )
        )
    return secret


def verify_key(engine: sa.Engine, secret: str) -> ApiKey | None:
    """The active key this secret belongs to, or None (unknown, malformed or revoked)."""
    key_id = _key_id(secret)
    if key_id is None:
        return None
    # Every request with a key reads this row: plain driver SQL on a pooled connection, as
    # SQLAlchemy Core's per-statement work cost several times the read itself.
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    conn = engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute(_VERIFY.format(mark=mark), (key_id,))
        row = cur.fetchone()
        cur.close()
    finally:
        conn.close()
    if row is None or not hmac.compare_digest(row[-1], hash_secret(secret)):
        return None
    key_id, name, role, created_at_us, revoked_at_us, merchant_id, consumer_id, _ = row
    if revoked_at_us is not None:
        return None
    return ApiKey(
        key_id=key_id,
        name=name,
        role=cast(Role, role),
        created_at=from_us(created_at_us),
        revoked_at=None,
        merchant_id=merchant_id,
        consumer_id=consumer_id,
    )


_VERIFY = (
    "SELECT key_id, name, role, created_at_us, revoked_at_us, merchant_id, consumer_id, key_hash"
    " FROM api_keys WHERE key_id = {mark}"
)


def revoke_key(engine: sa.Engine, key_id: str, *, clock: Clock) -> bool:
    """Revoke a key; False when it does not exist or was already revoked."""
    with engine.begin() as conn:
        result = conn.execute(
            api_keys.update()
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at_us.is_(None))
            .values(revoked_at_us=to_us(clock.now()))
        )
    return result.rowcount == 1


def list_keys(engine: sa.Engine) -> list[ApiKey]:
    """Every key, revoked ones included (see ``revoked_at``), oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(*_COLUMNS).order_by(api_keys.c.created_at_us, api_keys.c.key_id)
        ).all()
    return [_row_to_key(row) for row in rows]


# ------------------------------------------------------------------------------- link tokens


def create_link(engine: sa.Engine, order_id: str, *, created_by: str, clock: Clock) -> str:
    """A new link token opening ``order_id``'s guarantee hall; its secret is returned once.
    Refused (``UnknownOrder``) for an order the store does not hold."""
    token_id, secret = _new_secret(LINK_PREFIX)
    with engine.begin() as conn:
        known = conn.execute(
            sa.select(order_state.c.order_id).where(order_state.c.order_id == order_id)
        ).first()
        if known is None:
            raise UnknownOrder(order_id)
        conn.execute(
            link_tokens.insert().values(
                token_id=token_id,
                order_id=order_id,
                token_hash=hash_secret(secret),
                created_at_us=to_us(clock.now()),
                created_by=created_by[:MAX_NAME],
                revoked_at_us=None,
            )
        )
    return secret


def _row_to_link(row: sa.Row[*tuple[Any, ...]]) -> LinkToken:
    return LinkToken(
        token_id=row.token_id,
        order_id=row.order_id,
        created_by=row.created_by,
        created_at=from_us(row.created_at_us),
        revoked_at=None if row.revoked_at_us is None else from_us(row.revoked_at_us),
    )


_LINK_COLUMNS = (
    link_tokens.c.token_id,
    link_tokens.c.order_id,
    link_tokens.c.created_by,
    link_tokens.c.created_at_us,
    link_tokens.c.revoked_at_us,
)


def verify_link(engine: sa.Engine, secret: str) -> LinkToken | None:
    """The active link token of this secret, or None (unknown, malformed or revoked)."""
    token_id = _key_id(secret, LINK_PREFIX)
    if token_id is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(*_LINK_COLUMNS, link_tokens.c.token_hash).where(
                link_tokens.c.token_id == token_id
            )
        ).first()
    if row is None or not hmac.compare_digest(row.token_hash, hash_secret(secret)):
        return None
    if row.revoked_at_us is not None:
        return None
    return _row_to_link(row)


def revoke_link(
    engine: sa.Engine, token_id: str, *, clock: Clock, order_id: str | None = None
) -> bool:
    """Revoke a link token (of ``order_id`` when given); False when there is no such active
    token."""
    c = link_tokens.c
    where = [c.token_id == token_id, c.revoked_at_us.is_(None)]
    if order_id is not None:
        where.append(c.order_id == order_id)
    with engine.begin() as conn:
        result = conn.execute(
            link_tokens.update().where(*where).values(revoked_at_us=to_us(clock.now()))
        )
    return result.rowcount == 1


def list_links(engine: sa.Engine, order_id: str | None = None) -> list[LinkToken]:
    """Link tokens (of one order, or all), revoked ones included, oldest first."""
    q = sa.select(*_LINK_COLUMNS).order_by(link_tokens.c.created_at_us, link_tokens.c.token_id)
    if order_id is not None:
        q = q.where(link_tokens.c.order_id == order_id)
    with engine.connect() as conn:
        return [_row_to_link(row) for row in conn.execute(q).all()]
