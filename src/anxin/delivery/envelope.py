"""The bytes a webhook carries and their Standard Webhooks signature.

Body: an ``Envelope`` JSON object whose ``data`` is the outbox body verbatim (stored JSON
text, spliced in, not re-encoded). Headers: ``webhook-id`` (the message id: receivers dedupe
on it), ``webhook-timestamp`` (seconds) and ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">``), signed by the ``standardwebhooks`` package.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets

import msgspec
from standardwebhooks import Webhook

from anxin.clock import from_us
from anxin.delivery.topics import schema_name

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # Standard Webhooks: 24..64 bytes


class _Wire(msgspec.Struct, frozen=True):
    id: str
    type: str
    schema: str
    aggregate_key: str
    sequence: int
    created_at: dt.datetime
    data: msgspec.Raw


_encode = msgspec.json.Encoder().encode


def envelope_bytes(
    message_id: str, topic: str, aggregate_key: str, created_at_us: int, seq: int, body: str
) -> bytes:
    wire = _Wire(
        message_id,
        topic,
        schema_name(topic),
        aggregate_key,
        seq,
        from_us(created_at_us),
        msgspec.Raw(body.encode()),
    )
    return _encode(wire)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_secret(secret: str) -> str:
    """A ``whsec_<base64>`` secret of 24..64 bytes, or ValueError."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret reads whsec_<base64>")
    try:
        raw = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError:
        raise ValueError("the part after whsec_ is not base64") from None
    if not 24 <= len(raw) <= 64:
        raise ValueError("a webhook secret holds 24 to 64 bytes")
    return secret


def signed_headers(
    signer: Webhook, message_id: str, at: dt.datetime, body: bytes
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signer.sign(message_id, at, body),
    }
