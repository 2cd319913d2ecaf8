"""Outbox rows written the way the engine writes them (SqlStore.add_outbox)."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from anxin.clock import Clock
from anxin.delivery.backoff import DeliveryConfig
from anxin.delivery.dispatcher import Dispatcher
from anxin.delivery.sender import HttpSender
from anxin.domain.effects import OutboxMessage
from anxin.store.sql import SqlStore

T0 = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def body(topic: str, order: str, n: int) -> dict[str, object]:
    if topic == "consumer.compensation":
        return {
            "order_id": order,
            "consumer_id": f"C{order}",
            "amount": {"amount": 500 + n, "currency": "CNY"},
            "paid_as": "coupon",
            "reason": "late_shipment",
            "decision_id": f"d{n}",
        }
    return {
        "merchant_id": "M1",
        "order_id": order,
        "task": "ship_overdue_order",
        "decision_id": f"d{n}",
    }


def messages(orders: int, per_order: int, start: dt.datetime = T0) -> list[OutboxMessage]:
    out = []
    for i in range(orders):
        order = f"O{i}"
        for n in range(per_order):
            topic = "consumer.compensation" if n % 2 == 0 else "merchant.task"
            at = start + dt.timedelta(minutes=n, microseconds=i)
            out.append(
                OutboxMessage(f"m:{order}:{n}", topic, f"order:{order}", at, body(topic, order, n))
            )
    return out


def write(sql: sa.Engine, batch: list[OutboxMessage]) -> None:
    with SqlStore(sql).transaction() as tx:
        tx.add_outbox(batch)


def dispatcher(
    sql: sa.Engine, clock: Clock, config: DeliveryConfig | None = None, seed: int = 7
) -> Dispatcher:
    config = config or DeliveryConfig(workers=4)
    sender = HttpSender(config.timeout_s, config.workers)  # signs with the wall clock
    return Dispatcher(sql, sender, clock, config, random.Random(seed).random)
