"""What spreadsheets and BI tools do to a CSV file, undone: the dialect and the cell spellings.

Pure functions over bytes and strings (no file I/O), used by :mod:`anxin.importers.csvread`:

- :func:`decode_lines`: a UTF-8 or UTF-16 BOM, CRLF or bare-CR line ends, a Latin-1 line in a
  UTF-8 file (Excel's "CSV" on Windows);
- :func:`sniff_delimiter`: ``,`` ``;`` tab or ``|``, read from the header line (a
  ``;``-separated file comes from a decimal-comma locale: its numbers say ``1.234,50``);
- :func:`header_key`: ``" Order ID "``, ``ORDER_ID`` and ``order_id`` name one column;
- :func:`decimal_text`: ``"1,234.50"`` / ``1.234,50`` / ``R$ 12,00``-free plain decimals;
- :func:`excel_serial`: ``43466.5`` (days since 1899-12-30) → a wall-clock time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

DELIMITERS = (",", ";", "\t", "|")
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_lines(data: bytes, latin1: list[int]) -> Iterator[str]:
    """Text lines (each ending in ``\\n`` but the last) of an export's bytes.

    UTF-8 line by line, falling back to Latin-1 for a line that is not UTF-8 (counted in
    ``latin1[0]``): a UTF-8 export with a few hand-edited Latin-1 lines keeps its good accents.
    A UTF-16 file (Excel's "Unicode text") is decoded whole. A file whose lines end in a bare
    CR (old Mac spreadsheets) is split on CR.
    """
    if data.startswith(UTF16_BOMS):
        text = data.decode("utf-16")
        yield from text.replace("\r\n", "\n").replace("\r", "\n").splitlines(keepends=True)
        return
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    newline = b"\n" if b"\n" in data or b"\r" not in data else b"\r"
    chunks = data.split(newline)
    last = len(chunks) - 1
    for i, chunk in enumerate(chunks):
        if i == last and not chunk:
            return
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            text = chunk.decode("latin-1")
            latin1[0] += 1
        yield text + ("\n" if i < last else "")


def sniff_delimiter(header: str) -> str:
    """The separator of a file, from its header line: the candidate found most often outside
    quotes (a comma on a tie or when none is found)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


_SPACES = re.compile(r"[\s_]+")


def header_key(name: str) -> str:
    """The comparable form of a column name: no BOM, trimmed, lower case, runs of spaces and
    underscores as one ``_`` (``" Order ID "`` → ``order_id``)."""
    return _SPACES.sub("_", name.lstrip("\ufeff").strip().lower())


# Grouping: thin and no-break spaces, apostrophes (Swiss), and the locale's other mark.
_GROUP_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DOT_GROUPS = re.compile(r"^-?\d{1,3}(?:\.\d{3})+(?:,\d*)?$")
_COMMA_GROUPS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_COMMA_DECIMAL = re.compile(r"^-?\d*,\d+$")


def decimal_text(value: str, decimal_comma: bool = False) -> str:
    """A number as a spreadsheet wrote it → plain ``1234.50`` (unchanged when not a number).

    With ``decimal_comma`` (a ``;``-separated file), ``1.234,50`` and ``12,5`` use the comma as
    the decimal mark; a lone dot is still a decimal mark unless it is followed by exactly three
    digits (``1.234`` is then one thousand two hundred thirty-four). Without it, commas may
    only group thousands (``1,234.50``): ``12,50`` stays as it is and fails as a number.
    """
    text = _GROUP_SPACES.sub("", value)
    if decimal_comma:
        if _DOT_GROUPS.match(text):
            return text.replace(".", "").replace(",", ".")
        if _COMMA_DECIMAL.match(text):
            return text.replace(",", ".")
        return text
    if _COMMA_GROUPS.match(text):
        return text.replace(",", "")
    return text


# 2000-01-01 .. 2099-12-31 as Excel serials: a five-digit count of days, maybe with a fraction.
_SERIAL = re.compile(r"^(3[6-9]\d{3}|[4-6]\d{4}|7[0-2]\d{3})(?:\.\d+)?$")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - a wall clock, zoned by the caller


def excel_serial(value: str) -> dt.datetime | None:
    """``43466.5`` → 2019-01-01 12:00:00 (wall clock, to the nearest second); None when the
    value is not a serial date of 2000..2099."""
    if not _SERIAL.match(value):
        return None
    seconds = round(float(value) * 86400)
    return _EXCEL_EPOCH + dt.timedelta(seconds=seconds)
