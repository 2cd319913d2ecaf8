from __future__ import annotations

import sqlalchemy as sa

from anxin.clock import to_us
from anxin.delivery.pull import ack, list_after
from tests.delivery.helpers import T0, messages, write


def test_pages_by_cursor_and_acks(sql_engine: sa.Engine) -> None:
    write(sql_engine, messages(orders=3, per_order=2))
    page, cursor = list_after(sql_engine, 0, 4, to_us(T0))
    assert [e.sequence for e in page] == [1, 2, 3, 4]
    assert cursor == 4
    rest, cursor = list_after(sql_engine, cursor, 100, to_us(T0))
    assert len(rest) == 2
    assert cursor == 6
    assert list_after(sql_engine, cursor, 100, to_us(T0)) == ([], 6)
    assert rest[0].data["order_id"] == rest[0].aggregate_key.removeprefix("order:")
    ids = [e.id for e in page]
    assert ack(sql_engine, "key1", [*ids, "unknown"], to_us(T0)) == 4
    assert ack(sql_engine, "key1", ids, to_us(T0)) == 0
    assert ack(sql_engine, "key2", ids[:1], to_us(T0)) == 1
