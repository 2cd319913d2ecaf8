"""API keys: stored as a SHA-256 hash, the secret itself is shown once, at creation.

A secret reads ``anx_<key_id>_<random>``. The key id is public (it names the key in listings
and revocations); only the random part is secret. Verification looks the key up by its id and
compares hashes in constant time, so response timing says nothing about the secret.
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
from anxin.store.schema import api_keys

Role = Literal["operator", "merchant", "consumer", "ingest"]
ROLES: frozenset[str] = frozenset(get_args(Role))

PREFIX = "anx"
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


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _key_id(secret: str) -> str | None:
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def _row_to_key(row: sa.Row[*tuple[Any, ...]]) -> ApiKey:
    return ApiKey(
        key_id=row.key_id,
        name=row.name,
        role=cast(Role, row.role),
        created_at=from_us(row.created_at_us),
        revoked_at=None if row.revoked_at_us is None else from_us(row.revoked_at_us),
    )


_COLUMNS = (
    api_keys.c.key_id,
    api_keys.c.name,
    api_keys.c.role,
    api_keys.c.created_at_us,
    api_keys.c.revoked_at_us,
)


def create_key(engine: sa.Engine, name: str, role: Role, *, clock: Clock) -> str:
    """Create a key and return its full secret; it cannot be recovered later."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {sorted(ROLES)}")
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"key name must be 1..{MAX_NAME} characters")
    key_id = secrets.token_hex(8)  # hex: never contains the "_" separator
    secret = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"
    with engine.begin() as conn:
        conn.execute(
            api_keys.insert().values(
                key_id=key_id,
                name=name,
                role=role,
                key_hash=hash_secret(secret),
                created_at_us=to_us(clock.now()),
                revoked_at_us=None,
            )
        )
    return secret


def verify_key(engine: sa.Engine, secret: str) -> ApiKey | None:
    """The active key this secret belongs to, or None (unknown, malformed or revoked)."""
    key_id = _key_id(secret)
    if key_id is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(*_COLUMNS, api_keys.c.key_hash).where(api_keys.c.key_id == key_id)
        ).first()
    if row is None or not hmac.compare_digest(row.key_hash, hash_secret(secret)):
        return None
    if row.revoked_at_us is not None:
        return None
    return _row_to_key(row)


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
