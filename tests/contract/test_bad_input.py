"""Bad input through the whole engine, on SQLite and PostgreSQL.

Every case puts one bad event in the middle of a batch of valid example events and checks that
(a) the engine reports the exact ``ContractError``, (b) exactly one dead letter keeps the raw
bytes with that error, and (c) every valid event beside it was accepted. Then: redeliveries,
conflicts, re-sent bad batches and tracking scans that arrive before their shipment.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from anxin.contract import events as ev
from anxin.contract.decode import MAX_DEPTH, MAX_EVENT_BYTES, ContractError, encode_event
from anxin.engine.processor import Engine, IngestReport
from anxin.sample import example_lines
from anxin.store import schema as t

SOURCE = "feed-a"
FIRST_POSITION = 100  # positions are whatever the caller passes: not 0- or 1-based here
CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)  # the `clock` fixture

VALID: list[bytes] = example_lines(2, 1)  # a merchant and two orders with their whole life
VALID_IDS: list[str] = [json.loads(raw)["id"] for raw in VALID]
MIDDLE = len(VALID) // 2
BAD_POSITION = FIRST_POSITION + MIDDLE
BAD_ID = "bad-order-placed"

BAD_BASE = ev.OrderPlaced(
    id=BAD_ID,
    occurred_at=dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST),
    source="shop",
    payload=ev.OrderPlacedPayload(
        order_id="O-BAD",
        merchant_id="M0000",
        consumer_id="C-BAD",
        items=[ev.Item(sku="SKU-BAD", quantity=1, unit_price=ev.Money(1_000, "CNY"))],
        amount=ev.Money(1_000, "CNY"),
        promises=[ev.Promise(kind="ship", source="listing", within_hours=48)],
    ),
)


def _doc(raw: bytes) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(raw)
    return doc


def _bad(change: Callable[[dict[str, Any]], object], base: bytes | None = None) -> bytes:
    doc = _doc(base if base is not None else encode_event(BAD_BASE))
    change(doc)
    return json.dumps(doc, ensure_ascii=False).encode()


def _oversized() -> bytes:
    raw = _bad(lambda d: d["payload"].update(consumer_id="C" * 2 * MAX_EVENT_BYTES))
    assert len(raw) > MAX_EVENT_BYTES
    return raw


def _conflicting(index: int) -> bytes:
    """The valid event at ``index`` with the same id but other content."""
    return _bad(lambda d: d["payload"].update(consumer_id="C-SOMEONE-ELSE"), VALID[index])


def _invalid_utf8() -> bytes:
    """One byte that is not UTF-8 inside a string value (a feed mixing in GBK, say)."""
    return encode_event(BAD_BASE).replace(b'"C-BAD"', b'"C-B\xffAD"')


def _nested(depth: int) -> bytes:
    """A 2 KB-ish value nested ``depth`` arrays deep inside an event field."""
    value = b'{"a":' + b"[" * depth + b"]" * depth + b"}"
    return encode_event(BAD_BASE).replace(b'"C-BAD"', value)


CONFLICT_INDEX = 1  # an order.placed, accepted earlier in the same batch
assert _doc(VALID[CONFLICT_INDEX])["type"] == "order.placed"
assert CONFLICT_INDEX < MIDDLE


def _iso(at: dt.datetime) -> str:
    return at.isoformat()


class Case:
    def __init__(
        self,
        raw: bytes,
        code: str,
        path: str,
        fragment: str,
        event_id: str | None = BAD_ID,
        stored: bytes | None = None,
    ) -> None:
        self.raw, self.code, self.path, self.fragment = raw, code, path, fragment
        self.event_id = event_id
        self.stored = raw if stored is None else stored  # what the dead letter keeps


def _case(case_id: str, case: Case) -> Any:
    return pytest.param(case, id=case_id)


OVERSIZED = _oversized()
CASES = [
    _case(
        "malformed-json",
        Case(encode_event(BAD_BASE)[:-9], "malformed_json", "$", "truncated", None),
    ),
    _case(
        "malformed-json-trailing-garbage",
        Case(encode_event(BAD_BASE) + b"}}", "malformed_json", "$", "trailing", None),
    ),
    _case(
        "unknown-type",
        Case(
            _bad(lambda d: d.update(type="order.teleported")),
            "unknown_type",
            "$.type",
            "order.teleported",
        ),
    ),
    _case(
        "missing-field-payload",
        Case(
            _bad(lambda d: d["payload"].pop("order_id")),
            "missing_field",
            "$.payload.order_id",
            "`order_id`",
        ),
    ),
    _case(
        "missing-field-id",
        Case(_bad(lambda d: d.pop("id")), "missing_field", "$.id", "`id`", None),
    ),
    _case(
        "mistyped-field",
        Case(
            _bad(lambda d: d["payload"].update(order_id=4711)),
            "invalid_type",
            "$.payload.order_id",
            "Expected `str`, got `int`",
        ),
    ),
    _case(
        "naive-timestamp",
        Case(
            _bad(lambda d: d.update(occurred_at="2026-10-05T10:00:00")),
            "naive_timestamp",
            "$.occurred_at",
            "timezone",
        ),
    ),
    _case(
        "negative-money",
        Case(
            _bad(lambda d: d["payload"]["amount"].update(amount=-1_000)),
            "negative_money",
            "$.payload.amount.amount",
            ">= 0",
        ),
    ),
    _case(
        "non-integer-money",
        Case(
            _bad(lambda d: d["payload"]["amount"].update(amount=10.5)),
            "non_integer_money",
            "$.payload.amount.amount",
            "got `float`",
        ),
    ),
    _case(
        "unknown-currency",
        Case(
            _bad(lambda d: d["payload"]["amount"].update(currency="XXX")),
            "unknown_currency",
            "$.payload.amount.currency",
            "'XXX'",
        ),
    ),
    _case(
        "absurd-envelope-1970",
        Case(
            _bad(lambda d: d.update(occurred_at="1970-01-01T00:00:00Z")),
            "absurd_date",
            "$.occurred_at",
            "outside 2000..2099",
        ),
    ),
    _case(
        "absurd-envelope-2200",
        Case(
            _bad(lambda d: d.update(occurred_at="2200-01-01T00:00:00+08:00")),
            "absurd_date",
            "$.occurred_at",
            "outside 2000..2099",
        ),
    ),
    _case(
        "absurd-envelope-3-days-after-clock",
        Case(
            _bad(lambda d: d.update(occurred_at=_iso(NOW + dt.timedelta(days=3)))),
            "absurd_date",
            "$.occurred_at",
            "more than 1 day, 0:00:00 after the ingest clock",
        ),
    ),
    _case(
        "absurd-payload-1970",
        Case(
            _bad(lambda d: d["payload"].update(presale_ship_by="1970-01-01T08:00:00+08:00")),
            "absurd_date",
            "$.payload.presale_ship_by",
            "outside 2000..2099",
        ),
    ),
    _case(
        "absurd-payload-2200",
        Case(
            _bad(
                lambda d: d["payload"].update(
                    promises=[{"kind": "ship", "source": "chat", "by": "2200-01-01T00:00:00Z"}]
                )
            ),
            "absurd_date",
            "$.payload.promises[0].by",
            "outside 2000..2099",
        ),
    ),
    _case(
        "oversized",
        Case(OVERSIZED, "oversized", "$", "limit", None, stored=OVERSIZED[:MAX_EVENT_BYTES]),
    ),
    _case(
        "invalid-utf8",
        Case(_invalid_utf8(), "invalid_utf8", "$", "byte 0xff at offset"),
    ),
    _case(
        "nested-1000-deep",
        Case(_nested(1000), "too_deep", "$", f"more than {MAX_DEPTH} levels", None),
    ),
    _case(
        "nested-just-over-the-limit",
        Case(_nested(MAX_DEPTH), "too_deep", "$", f"more than {MAX_DEPTH} levels", None),
    ),
    _case(
        "duplicate-id-different-content",
        Case(
            _conflicting(CONFLICT_INDEX),
            "conflict",
            "$.id",
            "already accepted with different content",
            VALID_IDS[CONFLICT_INDEX],
        ),
    ),
]


# ---------------------------------------------------------------- helpers


def _batch(bad: bytes) -> list[tuple[int, bytes]]:
    raws = [*VALID[:MIDDLE], bad, *VALID[MIDDLE:]]
    return list(enumerate(raws, FIRST_POSITION))


def _dead_letters(sql_engine: sa.Engine) -> list[sa.Row[Any]]:
    with sql_engine.connect() as conn:
        return list(conn.execute(sa.select(t.dead_letters)))


def _event_counts(sql_engine: sa.Engine) -> dict[str, int]:
    q = sa.select(t.events.c.event_id, sa.func.count()).group_by(t.events.c.event_id)
    with sql_engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(q)}


def _body(sql_engine: sa.Engine, event_id: str) -> str:
    q = sa.select(t.events.c.body).where(t.events.c.event_id == event_id)
    with sql_engine.connect() as conn:
        body: str = conn.execute(q).scalar_one()
    return body


def _state(sql_engine: sa.Engine, order_id: str) -> dict[str, Any] | None:
    q = sa.select(t.order_state.c.state).where(t.order_state.c.order_id == order_id)
    with sql_engine.connect() as conn:
        raw = conn.execute(q).scalar_one_or_none()
    return None if raw is None else _doc(raw.encode())


def _held(sql_engine: sa.Engine) -> list[tuple[str, str, str]]:
    c = t.held_events.c
    with sql_engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(c.event_id, c.hold_key, c.reason))]


def _adds_up(report: IngestReport) -> bool:
    return report.received == report.accepted + report.duplicates + report.rejected


# ---------------------------------------------------------------- one bad event in a batch


@pytest.mark.parametrize("case", CASES)
def test_bad_event_is_dead_lettered_and_its_neighbours_accepted(
    engine: Engine, sql_engine: sa.Engine, case: Case
) -> None:
    report = engine.ingest(_batch(case.raw), SOURCE)

    # (a) the exact error
    assert len(report.errors) == 1
    error = report.errors[0]
    assert isinstance(error, ContractError)
    assert (error.code, error.path, error.index, error.event_id) == (
        case.code,
        case.path,
        BAD_POSITION,
        case.event_id,
    )
    assert case.fragment in error.message

    # (b) exactly one dead letter, raw bytes verbatim (truncated only when oversized)
    [row] = _dead_letters(sql_engine)
    assert (row.code, row.path, row.position, row.event_id, row.source) == (
        case.code,
        case.path,
        BAD_POSITION,
        case.event_id,
        SOURCE,
    )
    assert row.message == error.message
    assert bytes(row.raw) == case.stored
    assert row.received_at_us == int(NOW.timestamp()) * 1_000_000

    # (c) every valid neighbour was accepted, exactly once, and the report adds up
    assert _event_counts(sql_engine) == dict.fromkeys(VALID_IDS, 1)
    assert (report.received, report.accepted, report.duplicates, report.rejected) == (
        len(VALID) + 1,
        len(VALID),
        0,
        1,
    )
    assert _adds_up(report)
    assert _state(sql_engine, "O-BAD") is None  # the bad event had no effect on state
    if case.code == "conflict":  # the first-come version stands, not merged
        assert _body(sql_engine, VALID_IDS[CONFLICT_INDEX]) == VALID[CONFLICT_INDEX].decode()


@pytest.mark.parametrize("case", CASES)
def test_resending_the_same_bad_batch_adds_no_second_dead_letter(
    engine: Engine, sql_engine: sa.Engine, case: Case
) -> None:
    first = engine.ingest(_batch(case.raw), SOURCE)
    again = engine.ingest(_batch(case.raw), SOURCE)

    assert first.errors == again.errors
    assert (again.received, again.accepted, again.duplicates, again.rejected) == (
        len(VALID) + 1,
        0,
        len(VALID),
        1,
    )
    assert _adds_up(again)
    assert len(_dead_letters(sql_engine)) == 1
    assert _event_counts(sql_engine) == dict.fromkeys(VALID_IDS, 1)


def test_bad_events_at_several_positions_each_get_their_own_dead_letter(
    engine: Engine, sql_engine: sa.Engine
) -> None:
    bads: list[Case] = [p.values[0] for p in CASES[:4]]
    positions = (7, 9, 10, 11)
    raws = [(p, bad.raw) for p, bad in zip(positions, bads, strict=True)]
    raws.insert(1, (8, VALID[0]))
    report = engine.ingest(raws, SOURCE)
    expected = [(p, bad.code, bad.path) for p, bad in zip(positions, bads, strict=True)]
    assert [(e.index, e.code, e.path) for e in report.errors] == expected
    assert sorted((r.position, r.code, r.path) for r in _dead_letters(sql_engine)) == expected
    assert (report.received, report.accepted, report.rejected) == (5, 1, 4)
    assert _event_counts(sql_engine) == {VALID_IDS[0]: 1}


# ---------------------------------------------------------------- envelope date boundaries

BOUNDARY = [
    pytest.param(ev.EARLIEST - dt.timedelta(microseconds=1), "absurd_date", id="just-before-2000"),
    pytest.param(ev.EARLIEST, "accepted", id="2000-01-01-exactly"),
    pytest.param(NOW + dt.timedelta(hours=23, minutes=59), "accepted", id="23h59m-after-clock"),
    pytest.param(NOW + dt.timedelta(days=1), "accepted", id="exactly-1-day-after-clock"),
    pytest.param(
        NOW + dt.timedelta(days=1, microseconds=1), "absurd_date", id="1-day-1us-after-clock"
    ),
]


@pytest.mark.parametrize(("at", "outcome"), BOUNDARY)
def test_envelope_date_boundaries(
    engine: Engine, sql_engine: sa.Engine, at: dt.datetime, outcome: str
) -> None:
    raw = _bad(lambda d: d.update(occurred_at=_iso(at)))
    report = engine.ingest([(1, raw)], SOURCE)
    got = report.errors[0].code if report.errors else "accepted"
    assert got == outcome
    assert len(_dead_letters(sql_engine)) == (outcome != "accepted")
    assert _adds_up(report)


# ---------------------------------------------------------------- redelivery and conflicts

DUPLICATE_WAYS = [
    pytest.param(False, lambda raw: raw, id="same-bytes-later-batch"),
    pytest.param(True, lambda raw: raw, id="same-bytes-same-batch"),
    pytest.param(
        False,
        lambda raw: json.dumps(_doc(raw), indent=2, sort_keys=True).encode(),
        id="same-content-other-formatting",
    ),
]


@pytest.mark.parametrize(("same_batch", "redeliver"), DUPLICATE_WAYS)
def test_same_id_same_content_is_a_duplicate(
    engine: Engine,
    sql_engine: sa.Engine,
    same_batch: bool,
    redeliver: Callable[[bytes], bytes],
) -> None:
    original = VALID[CONFLICT_INDEX]
    if same_batch:
        report = engine.ingest([(1, original), (2, redeliver(original))], SOURCE)
        assert (report.received, report.accepted, report.duplicates) == (2, 1, 1)
    else:
        engine.ingest([(1, original)], SOURCE)
        report = engine.ingest([(2, redeliver(original))], SOURCE)
        assert (report.received, report.accepted, report.duplicates) == (1, 0, 1)
    assert report.rejected == 0
    assert report.errors == []
    assert _adds_up(report)
    assert _dead_letters(sql_engine) == []
    assert _event_counts(sql_engine) == {VALID_IDS[CONFLICT_INDEX]: 1}


@pytest.mark.parametrize("same_batch", [False, True], ids=["later-batch", "same-batch"])
def test_conflict_is_reported_and_the_original_kept(
    engine: Engine, sql_engine: sa.Engine, same_batch: bool
) -> None:
    original, event_id = VALID[CONFLICT_INDEX], VALID_IDS[CONFLICT_INDEX]
    other = _conflicting(CONFLICT_INDEX)
    if same_batch:
        report = engine.ingest([(1, original), (2, other)], SOURCE)
        assert (report.accepted, report.rejected) == (1, 1)
    else:
        engine.ingest([(1, original)], SOURCE)
        report = engine.ingest([(2, other)], SOURCE)
        assert (report.accepted, report.rejected) == (0, 1)
    assert _adds_up(report)
    [error] = report.errors
    assert (error.code, error.path, error.index, error.event_id) == (
        "conflict",
        "$.id",
        2,
        event_id,
    )
    [row] = _dead_letters(sql_engine)
    assert (row.code, row.path, row.position, bytes(row.raw)) == ("conflict", "$.id", 2, other)
    # not merged: the log and the order state hold the first version only
    assert _event_counts(sql_engine) == {event_id: 1}
    assert _body(sql_engine, event_id) == original.decode()
    state = _state(sql_engine, _doc(original)["payload"]["order_id"])
    assert state is not None
    assert state["consumer_id"] == _doc(original)["payload"]["consumer_id"]
    assert state["version"] == 1


# ---------------------------------------------------------------- scans before their shipment

ORDER = "O-HELD"
CARRIER, TRACKING = "SF", "SF-HELD-0001"
PLACED = ev.OrderPlaced(
    id="h-placed",
    occurred_at=dt.datetime(2026, 11, 1, 10, 0, tzinfo=CST),
    source="shop",
    payload=ev.OrderPlacedPayload(
        order_id=ORDER,
        merchant_id="M0000",
        consumer_id="C-H",
        items=[ev.Item(sku="SKU-H", quantity=1, unit_price=ev.Money(5_000, "CNY"))],
        amount=ev.Money(5_000, "CNY"),
    ),
)
PAID = ev.OrderPaid(
    id="h-paid",
    occurred_at=dt.datetime(2026, 11, 1, 10, 5, tzinfo=CST),
    source="pay",
    payload=ev.OrderPaidPayload(order_id=ORDER, amount_paid=ev.Money(5_000, "CNY")),
)
SHIPMENT = ev.ShipmentCreated(
    id="h-shipment",
    occurred_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=CST),
    source="wms",
    payload=ev.ShipmentCreatedPayload(
        order_id=ORDER, shipment_id="S-H", carrier=CARRIER, tracking_number=TRACKING
    ),
)
SCAN = ev.TrackingScanned(
    id="h-scan-10",
    occurred_at=dt.datetime(2026, 11, 2, 11, 0, tzinfo=CST),
    source="carrier-feed",
    partition_key=f"parcel:{CARRIER}:{TRACKING}",
    payload=ev.TrackingScanPayload(
        carrier=CARRIER, tracking_number=TRACKING, code="10", text="【杭州】已揽收"
    ),
)
HOLD_KEY = f"parcel:{CARRIER}:{TRACKING}"


def _positions(*events: ev.Event) -> list[tuple[int, bytes]]:
    return [(i, encode_event(e)) for i, e in enumerate(events, 1)]


def _scans(sql_engine: sa.Engine) -> list[str]:
    state = _state(sql_engine, ORDER)
    assert state is not None
    [parcel] = state["parcels"]
    assert (parcel["carrier"], parcel["tracking_number"]) == (CARRIER, TRACKING)
    return [scan["event_id"] for scan in parcel["scans"]]


def test_scan_before_its_shipment_is_held_then_released(
    engine: Engine, sql_engine: sa.Engine
) -> None:
    first = engine.ingest(_positions(PLACED, PAID, SCAN), SOURCE)
    assert (first.accepted, first.held, first.released, first.rejected) == (3, 1, 0, 0)
    assert _held(sql_engine) == [(SCAN.id, HOLD_KEY, "awaiting_shipment")]
    assert _event_counts(sql_engine)[SCAN.id] == 1  # logged even while held
    state = _state(sql_engine, ORDER)
    assert state is not None
    assert state.get("parcels", []) == []

    second = engine.ingest(_positions(SHIPMENT), SOURCE)
    assert (second.accepted, second.held, second.released) == (1, 0, 1)
    assert _held(sql_engine) == []
    assert _scans(sql_engine) == [SCAN.id]
    state = _state(sql_engine, ORDER)
    assert state is not None
    assert state["version"] == 4  # placed, paid, shipment, scan: each folded once


def test_scan_and_shipment_in_one_batch_in_the_wrong_order(
    engine: Engine, sql_engine: sa.Engine
) -> None:
    report = engine.ingest(_positions(PLACED, PAID, SCAN, SHIPMENT), SOURCE)
    assert (report.accepted, report.rejected) == (4, 0)
    # Held and released within the batch: nothing stays held, the scan counts as released.
    assert (report.held, report.released) == (0, 1)
    assert _held(sql_engine) == []
    assert _scans(sql_engine) == [SCAN.id]


def test_redelivered_held_scan_stays_held_once(engine: Engine, sql_engine: sa.Engine) -> None:
    engine.ingest(_positions(PLACED, PAID, SCAN), SOURCE)
    again = engine.ingest(_positions(SCAN), SOURCE)
    assert (again.duplicates, again.held) == (1, 0)
    assert _held(sql_engine) == [(SCAN.id, HOLD_KEY, "awaiting_shipment")]
    released = engine.ingest(_positions(SHIPMENT), SOURCE)
    assert released.released == 1
    assert _scans(sql_engine) == [SCAN.id]


def test_scan_after_its_shipment_is_applied_directly(engine: Engine, sql_engine: sa.Engine) -> None:
    engine.ingest(_positions(PLACED, PAID, SHIPMENT), SOURCE)
    report = engine.ingest(_positions(SCAN), SOURCE)
    assert (report.accepted, report.held, report.released) == (1, 0, 0)
    assert _held(sql_engine) == []
    assert _scans(sql_engine) == [SCAN.id]


def test_a_batch_mixing_new_logged_duplicate_and_conflicting_ids(
    engine: Engine, sql_engine: sa.Engine
) -> None:
    """The log skips the ids it holds (the store's slow path) and keeps every new one beside
    them; the first of an id new to the log wins within the batch, as in the log."""
    first, logged = VALID[0], VALID[CONFLICT_INDEX]
    engine.ingest([(1, first), (2, logged)], SOURCE)
    second = next(i for i, raw in enumerate(VALID) if i > 1 and _doc(raw)["type"] == "order.placed")
    new, other_new = VALID[second], _conflicting(second)
    report = engine.ingest(
        [(1, logged), (2, _conflicting(CONFLICT_INDEX)), (3, new), (4, other_new), (5, new)],
        SOURCE,
    )
    assert (report.received, report.accepted, report.duplicates, report.rejected) == (5, 1, 2, 2)
    assert [(e.code, e.index) for e in report.errors] == [("conflict", 2), ("conflict", 4)]
    assert _adds_up(report)
    counts = _event_counts(sql_engine)
    ids = [VALID_IDS[0], VALID_IDS[CONFLICT_INDEX], VALID_IDS[second]]
    assert {i: counts.get(i) for i in ids} == dict.fromkeys(ids, 1)
    assert len(counts) == 3
    assert _body(sql_engine, VALID_IDS[CONFLICT_INDEX]) == logged.decode()
    assert _body(sql_engine, VALID_IDS[second]) == new.decode()
