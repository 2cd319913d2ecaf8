from __future__ import annotations

import sqlalchemy as sa

from anxin.engine.processor import Engine
from anxin.sample import example_lines


def test_example_stream_flows_end_to_end(engine: Engine, sql_engine: sa.Engine) -> None:
    lines = example_lines(200, 5)
    report = engine.ingest(list(enumerate(lines, 1)), "test")
    assert report.rejected == 0
    assert report.accepted == len(lines)
    engine.tick()
    with sql_engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from events")).scalar() == len(lines)
        assert conn.execute(sa.text("select count(*) from order_state")).scalar() == 200
        assert conn.execute(sa.text("select sum(amount) from ledger_entries")).scalar() == 0
        assert conn.execute(sa.text("select count(*) from decisions")).scalar() > 0
