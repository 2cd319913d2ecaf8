"""Robust reading of marketplace CSV exports, and the row accounting every importer keeps.

Exports are edited by hand and re-saved by spreadsheets, so the reader tolerates what real
files do (a BOM, Latin-1 bytes, extra columns, ``M/D/YYYY H:MM`` dates, blank cells) and refuses
loudly what it cannot guess (a missing column names the file and the column). Every data row
ends up either *used* or *skipped with a reason*: :class:`Accounts` checks that no row is lost
and none is counted twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from anxin.contract.events import EARLIEST, LATEST

# Quoted fields in real review files run to a few KB; this bounds a runaway quote.
csv.field_size_limit(1 << 20)


class ExportError(ValueError):
    """The export cannot be imported at all (a file or a column is missing)."""


class FieldError(ValueError):
    """One cell cannot be used; ``reason`` is the stable code rows are counted by."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Row:
    """One data record: ``line`` is the physical line it starts on (the header is line 1)."""

    file: str
    line: int
    values: Mapping[str, str]

    def get(self, column: str) -> str:
        """The stripped cell, ``""`` when blank or absent (an optional column)."""
        return self.values.get(column, "")


@dataclass
class CsvTable:
    name: str
    rows: list[Row]
    malformed: list[tuple[int, str]]  # (line, why): records that are not rows of this table
    latin1_lines: int = 0

    @property
    def read(self) -> int:
        return len(self.rows) + len(self.malformed)


def _decoded_lines(data: bytes, counter: list[int]) -> Iterator[str]:
    """UTF-8 line by line, falling back to Latin-1 for a line that is not UTF-8.

    Per line rather than per file: a UTF-8 export with a few hand-edited Latin-1 lines keeps its
    good accents instead of turning every one of them into mojibake.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    chunks = data.split(b"\n")
    last = len(chunks) - 1
    for i, chunk in enumerate(chunks):
        if i == last and not chunk:
            return
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            text = chunk.decode("latin-1")
            counter[0] += 1
        yield text + ("\n" if i < last else "")


def read_csv(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str] = (),
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> CsvTable:
    """Read ``path``; keep ``required`` + ``optional`` columns (others are ignored).

    ``aliases`` maps a column to other header spellings found in the wild (Olist's sellers file
    says ``seler_city``).
    """
    if not path.is_file():
        raise ExportError(f"{path}: file not found")
    name = path.name
    counter = [0]
    # strict: a stray or unterminated quote is an error on its record, not a silent merge of
    # the following lines into one cell.
    reader = csv.reader(_decoded_lines(path.read_bytes(), counter), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ExportError(f"{name}: unreadable header row: {exc}") from None
    if header is None:
        raise ExportError(f"{name}: empty file (no header row)")
    index: dict[str, int] = {}
    for i, raw in enumerate(header):
        index.setdefault(raw.strip().lstrip("\ufeff").lower(), i)
    columns: dict[str, int] = {}
    for column in [*required, *optional]:
        spellings = [column, *(aliases or {}).get(column, ())]
        found = next((index[s] for s in spellings if s in index), None)
        if found is not None:
            columns[column] = found
        elif column in required:
            raise ExportError(
                f"{name}: missing column `{column}` (header has: {', '.join(header)})"
            )
    width = len(header)
    rows: list[Row] = []
    malformed: list[tuple[int, str]] = []
    start = 2
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # the reader resumes on the next line
            malformed.append((start, f"bad CSV quoting: {exc}"))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not record or all(not cell.strip() for cell in record):
            continue  # blank line: not a row
        if len(record) != width:
            malformed.append((line, f"{len(record)} fields, the header has {width}"))
            continue
        rows.append(Row(name, line, {c: record[i].strip() for c, i in columns.items()}))
    return CsvTable(name, rows, malformed, counter[0])


# ---------------------------------------------------------------- cells

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_local(value: str, zone: ZoneInfo) -> dt.datetime:
    """A local wall-clock time in ``zone`` → an aware datetime.

    Accepts ``YYYY-MM-DD HH:MM:SS`` (also without seconds, or a bare date) and the spreadsheet
    form ``M/D/YYYY H:MM``. A wall time that a DST change makes ambiguous or skipped resolves
    with ``fold=0`` (the earlier offset), the same way on every run.
    """
    try:
        if _ISO.match(value):
            naive = dt.datetime.fromisoformat(value)
        elif m := _US.match(value):
            month, day, year, hour, minute, second = (int(g) if g else 0 for g in m.groups())
            naive = dt.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - zoned below
        else:
            raise ValueError("not YYYY-MM-DD HH:MM:SS, M/D/YYYY H:MM or YYYY-MM-DD")
    except ValueError as exc:
        raise FieldError("unparseable_date", f"{value!r}: {exc}") from None
    at = _fixed(naive, zone)
    if not EARLIEST <= at < LATEST:
        raise FieldError("absurd_date", f"{value!r} is outside 2000..2099")
    return at


def _fixed(naive: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    # A fixed offset, not the zone: PEP 495 makes a zoned time in a repeated or skipped hour
    # unequal to every instant of another zone, which would break comparisons downstream.
    local = naive.replace(tzinfo=zone)
    offset = local.utcoffset()
    assert offset is not None
    return naive.replace(tzinfo=dt.timezone(offset))


def end_of_local_day(at: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """23:59:59 local on ``at``'s local date: a date-only promise is kept through that day."""
    return _fixed(dt.datetime.combine(at.astimezone(zone).date(), dt.time(23, 59, 59)), zone)


_DECIMAL = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)$")


def parse_minor(value: str, reason: str, exponent: int = 2) -> int:
    """A decimal amount (``179.49``) → integer minor units (17949), exactly, via ``Decimal``."""
    if not _DECIMAL.match(value):
        raise FieldError(reason, f"{value!r} is not a decimal number")
    try:
        amount = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise FieldError(reason, f"{value!r} is not a decimal number") from None
    if amount < 0:
        raise FieldError(reason, f"{value!r} is negative")
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise FieldError(reason, f"{value!r} has fractions of a minor unit")
    return int(minor)


_ID = re.compile(r"^[\x21-\x7e]{1,64}$")


def parse_id(row: Row, column: str) -> str:
    """A required identifier: printable ASCII, at most 64 chars (it becomes a tracking number)."""
    value = row.get(column)
    if not value:
        raise FieldError(f"missing_{column}", f"`{column}` is empty")
    if not _ID.match(value):
        raise FieldError(f"invalid_{column}", f"`{column}` {value[:80]!r} is not a usable id")
    return value


# ---------------------------------------------------------------- accounting


@dataclass
class Problem:
    file: str
    line: int
    reason: str
    detail: str


@dataclass
class FileCount:
    read: int = 0
    used: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "used": self.used,
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": dict(sorted(self.skipped.items())),
        }


class Accounts:
    """Where every row went: used, or skipped with a reason; plus cell-level problems.

    A row accounted twice is a bug in the importer and raises at once; :meth:`check` raises if
    any row was left unaccounted.
    """

    def __init__(self) -> None:
        self.files: dict[str, FileCount] = {}
        self.skips: list[Problem] = []
        self.notes: list[Problem] = []  # a cell ignored in a row that was still used
        self._seen: dict[str, set[int]] = {}

    def add_table(self, table: CsvTable) -> None:
        self.files[table.name] = FileCount(read=table.read)
        self._seen[table.name] = set()
        for line, why in table.malformed:
            self._mark(table.name, line)
            self._skip(table.name, line, "malformed_row", why)

    def _mark(self, file: str, line: int) -> None:
        seen = self._seen[file]
        if line in seen:
            raise AssertionError(f"{file}:{line} accounted twice")
        seen.add(line)

    def _skip(self, file: str, line: int, reason: str, detail: str) -> None:
        self.files[file].skipped[reason] += 1
        self.skips.append(Problem(file, line, reason, detail))

    def use(self, row: Row) -> None:
        self._mark(row.file, row.line)
        self.files[row.file].used += 1

    def skip(self, row: Row, reason: str, detail: str = "") -> None:
        self._mark(row.file, row.line)
        self._skip(row.file, row.line, reason, detail)

    def note(self, row: Row, reason: str, detail: str) -> None:
        self.notes.append(Problem(row.file, row.line, reason, detail))

    def check(self) -> None:
        for name, count in self.files.items():
            if count.used + sum(count.skipped.values()) != count.read:
                raise AssertionError(
                    f"{name}: {count.read} rows read but {count.used} used and "
                    f"{sum(count.skipped.values())} skipped"
                )

    def skipped_by_reason(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for count in self.files.values():
            total.update(count.skipped)
        return dict(sorted(total.items()))

    def notes_by_reason(self) -> dict[str, int]:
        return dict(sorted(Counter(p.reason for p in self.notes).items()))
