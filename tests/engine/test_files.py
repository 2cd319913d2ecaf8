"""``ingest_file``: line numbers, blank lines, batch boundaries and progress, any batch size."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import pytest

from anxin.application import build_engine, load_policy, order_rules
from anxin.clock import FixedClock
from anxin.engine import files
from anxin.engine.files import ingest_file
from anxin.engine.memory import MemoryStore
from anxin.engine.processor import Engine

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _placed(i: int) -> bytes:
    return msgspec.json.encode(
        {
            "id": f"e{i}",
            "type": "order.placed",
            "occurred_at": "2026-02-01T10:00:00+08:00",
            "source": "test",
            "payload": {
                "order_id": f"O{i}",
                "merchant_id": "M1",
                "consumer_id": "C1",
                "amount": {"amount": 1000, "currency": "CNY"},
                "items": [
                    {"sku": "S", "quantity": 1, "unit_price": {"amount": 1000, "currency": "CNY"}}
                ],
            },
        }
    )


def _file(tmp_path: Path) -> tuple[Path, dict[int, str]]:
    """Events, blank lines (one with spaces and a CR), a bad line and a redelivery; → the path
    and what each non-blank line number should be."""
    lines: list[bytes] = []
    expected: dict[int, str] = {}
    for i in range(23):
        if i % 5 == 2:
            lines.append(b"   \r")
        lines.append(_placed(i) + (b"\r" if i % 7 == 3 else b""))
        expected[len(lines)] = "ok"
    lines.append(b"{not json")
    expected[len(lines)] = "bad"
    lines.append(b"")
    lines.append(_placed(4))
    expected[len(lines)] = "dup"
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n\n")
    return path, expected


@pytest.mark.parametrize("batch_size", [1, 2, 3, 7, 20_000])
@pytest.mark.parametrize("read_hint", [1, 64, 4 * 1024 * 1024])
def test_every_line_once_with_its_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_size: int, read_hint: int
) -> None:
    monkeypatch.setattr(files, "_READ_HINT", read_hint)  # chunks of one line up to the file
    path, expected = _file(tmp_path)
    engine = Engine(MemoryStore(), load_policy("douyin"), FixedClock(NOW), rules=order_rules())
    seen: list[list[int]] = []
    original = engine.ingest

    def spy(raws: object, source: str) -> object:
        batch = list(raws)  # type: ignore[call-overload]
        seen.append([n for n, _ in batch])
        assert all(raw == raw.strip() and raw for _, raw in batch)
        return original(batch, source)

    monkeypatch.setattr(engine, "ingest", spy)
    progress: list[int] = []
    report = ingest_file(engine, path, batch_size=batch_size, progress=progress.append)

    numbers = [n for batch in seen for n in batch]
    assert numbers == sorted(expected)  # every non-blank line once, in order, blank ones skipped
    assert all(len(b) <= batch_size for b in seen)
    assert all(len(b) == batch_size for b in seen[:-1])  # full batches across chunk boundaries
    assert sum(progress) == path.stat().st_size  # every byte reported once, blank lines too
    assert (report.received, report.accepted, report.rejected, report.duplicates) == (25, 23, 1, 1)
    assert [e.index for e in report.errors] == [n for n, k in expected.items() if k == "bad"]


def test_a_non_utf8_line_and_a_too_deep_line_are_dead_letters_and_restart_is_clean(
    tmp_path: Path,
) -> None:
    """Found in trial: one such line crashed ``anxin ingest`` and every restart on it."""
    not_utf8 = _placed(100).replace(b'"C1"', b'"C\xb1"')  # a GBK byte in a UTF-8 feed
    deep = _placed(101).replace(b'"C1"', b'{"a":' + b"[" * 1000 + b"]" * 1000 + b"}")
    lines = [_placed(0), not_utf8, _placed(1), deep, _placed(2)]
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    store = MemoryStore()
    engine = build_engine(store, load_policy("douyin"), FixedClock(NOW))

    report = ingest_file(engine, path, batch_size=20_000)
    assert (report.received, report.accepted, report.rejected) == (5, 3, 2)
    assert [(e.index, e.code) for e in report.errors] == [(2, "invalid_utf8"), (4, "too_deep")]
    assert sorted(e.event_id for e in store.events()) == ["e0", "e1", "e2"]
    assert sorted((d.position, d.code, d.raw) for d in store.dead_letters()) == [
        (2, "invalid_utf8", not_utf8),
        (4, "too_deep", deep),
    ]

    again = ingest_file(engine, path, batch_size=2)  # a restart reads the same lines again
    assert (again.received, again.duplicates, again.rejected) == (5, 3, 2)
    assert len(store.dead_letters()) == 2
