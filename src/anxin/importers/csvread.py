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
import itertools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from anxin.contract.events import EARLIEST, LATEST
from anxin.importers.dialects import (
    decimal_text,
    decode_lines,
    excel_serial,
    header_key,
    sniff_delimiter,
)

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
    """One data record: ``line`` is the physical line it starts on (the header is line 1);
    ``decimal_comma``: its file writes ``1.234,50`` (``;``-separated); ``raw``: the record as
    read, for the dead-letter store; ``day_first``: its file writes ``31/12/2017``."""

    file: str
    line: int
    values: Mapping[str, str]
    decimal_comma: bool = False
    raw: str = ""
    day_first: bool = False  # its file writes dates D/M/YYYY (see slash_dates_day_first)

    def get(self, column: str) -> str:
        """The stripped cell, ``""`` when blank or absent (an optional column)."""
        return self.values.get(column, "")


@dataclass
class CsvTable:
    name: str
    rows: list[Row]
    malformed: list[tuple[int, str]]  # (line, why): records that are not rows of this table
    latin1_lines: int = 0
    delimiter: str = ","
    malformed_raw: dict[int, str] = field(default_factory=dict)  # line → the record as read
    found: frozenset[str] = frozenset()  # the asked-for columns the header has
    header: tuple[str, ...] = ()

    def has(self, column: str) -> bool:
        return column in self.found

    @property
    def read(self) -> int:
        return len(self.rows) + len(self.malformed)


def read_csv(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str] = (),
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> CsvTable:
    """Read ``path``; keep ``required`` + ``optional`` columns (others are ignored).

    ``aliases`` maps a column to other header spellings found in the wild (Olist's sellers file
    says ``seler_city``). Column names match whatever their case and spacing
    (:func:`~anxin.importers.dialects.header_key`); the separator is sniffed from the header.
    """
    if not path.is_file():
        raise ExportError(f"{path}: file not found")
    return parse_csv(path.name, path.read_bytes(), required, optional, aliases)


def parse_csv(
    name: str,
    data: bytes,
    required: Sequence[str],
    optional: Sequence[str] = (),
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> CsvTable:
    """:func:`read_csv` on bytes already read (``name`` is what problems are reported under)."""
    counter = [0]
    lines = decode_lines(data, counter)
    first = next(lines, None)
    if first is None:
        raise ExportError(f"{name}: empty file (no header row)")
    delimiter = sniff_delimiter(first)
    # strict: a stray or unterminated quote is an error on its record, not a silent merge of
    # the following lines into one cell.
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ExportError(f"{name}: unreadable header row: {exc}") from None
    records = _records(reader)
    shifted = _unnamed_index(header, records)
    if shifted:  # R's write.table: the row names' column has no header cell
        header = ["", *header]
    index: dict[str, int] = {}
    for i, raw in enumerate(header):
        index.setdefault(header_key(raw), i)
    columns: dict[str, int] = {}
    for column in [*required, *optional]:
        spellings = [column, *(aliases or {}).get(column, ())]
        found = next((index[k] for s in spellings if (k := header_key(s)) in index), None)
        if found is not None:
            columns[column] = found
        elif column in required:
            shown = ", ".join(h for h in header if h)
            raise ExportError(f"{name}: missing column `{column}` (header has: {shown})")
    # Trailing unnamed columns (a spreadsheet's stray commas) may be absent or blank.
    named = max((i + 1 for i, h in enumerate(header) if h.strip()), default=len(header))
    width = len(header)
    rows: list[Row] = []
    malformed: list[tuple[int, str]] = []
    raw_malformed: dict[int, str] = {}
    comma = delimiter == ";"
    good: list[tuple[int, list[str]]] = []
    for line, record, error in records:
        if error is not None:
            malformed.append((line, error))
            continue
        if not record or all(not cell.strip() for cell in record):
            continue  # blank line: not a row
        if len(record) != width and (len(record) < named or any(c.strip() for c in record[named:])):
            malformed.append((line, f"{len(record)} fields, the header has {width}"))
            raw_malformed[line] = delimiter.join(record)
            continue
        good.append((line, record))
    cells = [[record[i].strip() for i in columns.values()] for _, record in good]
    day_first = slash_dates_day_first(cells, comma)
    for (line, record), values in zip(good, cells, strict=True):
        row_cells = dict(zip(columns, values, strict=True))
        rows.append(Row(name, line, row_cells, comma, delimiter.join(record), day_first))
    return CsvTable(
        name,
        rows,
        malformed,
        counter[0],
        delimiter,
        raw_malformed,
        frozenset(columns),
        tuple(header),
    )


Record = tuple[int, list[str], str | None]  # (first line, cells, why it is not a record)


def _records(reader: Any) -> list[Record]:
    records: list[Record] = []
    start = 2
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:  # the reader resumes on the next line
            records.append((start, [], f"bad CSV quoting: {exc}"))
            start = reader.line_num + 1
            continue
        records.append((start, record, None))
        start = reader.line_num + 1


def _unnamed_index(header: list[str], records: list[Record]) -> bool:
    """Most data records have one cell more than the header: the first column is a row index
    the tool wrote without a header cell (R's ``write.table``)."""
    widths = Counter(len(r) for _, r, e in records if e is None and any(c.strip() for c in r))
    return bool(widths) and widths.most_common(1)[0][0] == len(header) + 1


# ---------------------------------------------------------------- cells

_ISO = re.compile(
    r"^\d{4}[-/]\d{2}[-/]\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)
_US = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:,? (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AaPp][Mm]))?)?$"
)


def slash_dates_day_first(rows: Sequence[Sequence[str]], decimal_comma: bool) -> bool:
    """Whether a file's slash dates are day first, from the file itself: some date whose first
    number is over 12 (``31/12/2017``) and none whose second is (``12/31/2017``). Files whose
    slash dates fit both orders follow their locale: day first in a ``;``-separated file (a
    decimal-comma locale), month first elsewhere. With evidence both ways, month first: the
    day-first cells are then refused, not guessed."""
    day_first = month_first = False
    for row in rows:
        for cell in row:
            if (m := _US.match(cell)) is not None:
                day_first |= int(m[1]) > 12
                month_first |= int(m[2]) > 12
        if day_first and month_first:
            return False
    return day_first or (decimal_comma and not month_first)


def parse_local(value: str, zone: ZoneInfo, day_first: bool = False) -> dt.datetime:
    """A local wall-clock time in ``zone`` → an aware datetime.

    Accepts ``YYYY-MM-DD HH:MM:SS`` (also without seconds, with ``T`` or ``/``, or a bare date),
    the spreadsheet forms ``M/D/YYYY H:MM`` and ``M/D/YYYY h:MM:SS PM`` (``D/M/YYYY`` with
    ``day_first``), and an Excel serial
    date (``43466.5``). A time that states its offset (``…Z``, ``…-03:00``) keeps it. A wall
    time that a DST change makes ambiguous or skipped resolves with ``fold=0`` (the earlier
    offset), the same way on every run.
    """
    try:
        if m := _ISO.match(value):
            text = value.replace("/", "-")
            naive = dt.datetime.fromisoformat(text[: m.start("offset")] if m["offset"] else text)
            if m["offset"]:
                at = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                return in_range(value, at)
        elif m := _US.match(value):
            month, day, year, hour, minute, second = (int(g) if g else 0 for g in m.groups()[:6])
            if day_first:
                month, day = day, month
            half = (m[7] or "").lower()
            if half and not 1 <= hour <= 12:
                raise ValueError(f"hour {hour} with {half.upper()}")
            hour = hour % 12 + (12 if half == "pm" else 0) if half else hour
            naive = dt.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - zoned below
        elif (serial := excel_serial(value)) is not None:
            naive = serial
        else:
            raise ValueError("not YYYY-MM-DD HH:MM:SS, M/D/YYYY H:MM, YYYY-MM-DD or a serial date")
    except ValueError as exc:
        raise FieldError("unparseable_date", f"{value!r}: {exc}") from None
    return in_range(value, localize(naive, zone))


def in_range(value: str, at: dt.datetime) -> dt.datetime:
    """``at`` (read from ``value``) when it is within 2000..2099, else an ``absurd_date``."""
    if not EARLIEST <= at < LATEST:
        raise FieldError("absurd_date", f"{value!r} is outside 2000..2099")
    return at


def localize(naive: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    # A fixed offset, not the zone: PEP 495 makes a zoned time in a repeated or skipped hour
    # unequal to every instant of another zone, which would break comparisons downstream.
    local = naive.replace(tzinfo=zone)
    offset = local.utcoffset()
    assert offset is not None
    return naive.replace(tzinfo=dt.timezone(offset))


def end_of_local_day(at: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """23:59:59 local on ``at``'s local date: a date-only promise is kept through that day."""
    return localize(dt.datetime.combine(at.astimezone(zone).date(), dt.time(23, 59, 59)), zone)


_DECIMAL = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)$")


def parse_minor(value: str, reason: str, exponent: int = 2, decimal_comma: bool = False) -> int:
    """A decimal amount (``179.49``, ``"1,234.50"``; ``1.234,50`` with ``decimal_comma``) →
    integer minor units (17949), exactly, via ``Decimal``."""
    text = decimal_text(value, decimal_comma)
    if not _DECIMAL.match(text):
        raise FieldError(reason, f"{value!r} is not a decimal number")
    try:
        amount = Decimal(text)
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
    return check_id(value, column)


def check_id(value: str, name: str) -> str:
    """``value`` when it is a usable identifier (see :func:`parse_id`)."""
    if not _ID.match(value):
        raise FieldError(f"invalid_{name}", f"`{name}` {value[:80]!r} is not a usable id")
    return value


# ---------------------------------------------------------------- accounting


@dataclass
class Problem:
    """What went wrong where: ``unused`` marks a sound row the import had no use for (a seller
    without imported items), which is reported but is not bad input (no dead letter)."""

    file: str
    line: int
    reason: str
    detail: str
    raw: str = ""
    unused: bool = False


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
            self._skip(table.name, line, "malformed_row", why, table.malformed_raw.get(line, ""))

    def _mark(self, file: str, line: int) -> None:
        seen = self._seen[file]
        if line in seen:
            raise AssertionError(f"{file}:{line} accounted twice")
        seen.add(line)

    def _skip(
        self, file: str, line: int, reason: str, detail: str, raw: str = "", unused: bool = False
    ) -> None:
        self.files[file].skipped[reason] += 1
        self.skips.append(Problem(file, line, reason, detail, raw, unused))

    def use(self, row: Row) -> None:
        self._mark(row.file, row.line)
        self.files[row.file].used += 1

    def skip(self, row: Row, reason: str, detail: str = "", *, unused: bool = False) -> None:
        self._mark(row.file, row.line)
        self._skip(row.file, row.line, reason, detail, row.raw, unused)

    def unusable(self) -> list[Problem]:
        """The skipped rows that are bad input (or lost with it): the dead-letter store's."""
        return [p for p in self.skips if not p.unused]

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
