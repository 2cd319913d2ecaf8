"""Ingest JSON Lines files through the engine, one micro-batch (one transaction) at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from anxin.engine.processor import Engine, IngestReport

DEFAULT_BATCH = 20_000
_READ_HINT = 4 * 1024 * 1024


def batches(
    lines: Iterable[tuple[int, bytes]], size: int
) -> Iterator[list[tuple[int | None, bytes]]]:
    batch: list[tuple[int | None, bytes]] = []
    for item in lines:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest_file(
    engine: Engine,
    path: Path,
    *,
    batch_size: int = DEFAULT_BATCH,
    source: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest one file; ``progress`` is told how many bytes each batch consumed.

    Positions are 1-based line numbers, so every dead letter points at its line. A batch that
    fails to commit (crash, kill) is simply re-ingested next time: event ids make it idempotent.
    """
    total = IngestReport()
    batch: list[tuple[int | None, bytes]] = []
    consumed = number = 0

    def flush() -> None:
        nonlocal consumed
        total.add(engine.ingest(batch, source or f"file:{path.name}"))
        batch.clear()
        if progress is not None:
            progress(consumed)
        consumed = 0

    with path.open("rb") as handle:
        while chunk := handle.readlines(_READ_HINT):  # bulk reads: per-line I/O is slow
            for line in chunk:
                number += 1
                consumed += len(line)
                stripped = line.strip()
                if stripped:
                    batch.append((number, stripped))
                    if len(batch) >= batch_size:
                        flush()
    if batch or consumed:
        flush()
    return total


__all__ = ["DEFAULT_BATCH", "batches", "ingest_file"]
