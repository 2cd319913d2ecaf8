"""What a page asks someone else to do leaves through the one outbox, like every decision: a
consumer's request from the hall (``consumer.request``), a merchant's answer from the portal
(``service.reply``). The message id derives from the recorded event's, so a repeat is one
message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from anxin.domain.effects import OutboxMessage
from anxin.store.sql import SqlStore


def relay(sql: sa.Engine, message_id: str, topic: str, key: str, at: dt.datetime,
          body: dict[str, Any]) -> None:  # fmt: skip
    with SqlStore(sql).transaction() as tx:
        tx.add_outbox([OutboxMessage(message_id, topic, key, at, body)])
