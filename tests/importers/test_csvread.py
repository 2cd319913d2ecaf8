"""CSV reading and cell parsing for exports: dates in a zone, exact money, tolerant files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from anxin.importers.csvread import (
    Accounts,
    ExportError,
    FieldError,
    end_of_local_day,
    parse_csv,
    parse_local,
    parse_minor,
    read_csv,
    slash_dates_day_first,
)

SP = ZoneInfo("America/Sao_Paulo")
UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        pytest.param("2018-06-04 10:15:00", dt.datetime(2018, 6, 4, 13, 15, tzinfo=UTC), id="iso"),
        pytest.param("2018-06-04 10:15", dt.datetime(2018, 6, 4, 13, 15, tzinfo=UTC), id="no-sec"),
        pytest.param("2018-06-04T10:15:07", dt.datetime(2018, 6, 4, 13, 15, 7, tzinfo=UTC), id="T"),
        pytest.param("2000-01-01 00:00:00", dt.datetime(2000, 1, 1, 2, 0, tzinfo=UTC), id="y2k"),
        pytest.param("2018-06-04", dt.datetime(2018, 6, 4, 3, 0, tzinfo=UTC), id="date-only"),
        pytest.param("6/4/2018 10:15", dt.datetime(2018, 6, 4, 13, 15, tzinfo=UTC), id="m-d-y"),
        pytest.param("06/04/2018 9:05:30", dt.datetime(2018, 6, 4, 12, 5, 30, tzinfo=UTC),
                     id="m-d-y-s"),
        pytest.param("12/31/2017", dt.datetime(2017, 12, 31, 2, 0, tzinfo=UTC), id="m-d-y-date"),
        pytest.param("6/4/2018 1:15:07 PM", dt.datetime(2018, 6, 4, 16, 15, 7, tzinfo=UTC),
                     id="m-d-y-pm"),
        pytest.param("6/4/2018 12:15 AM", dt.datetime(2018, 6, 4, 3, 15, tzinfo=UTC),
                     id="m-d-y-midnight-am"),
        pytest.param("2018/06/04 10:15:00", dt.datetime(2018, 6, 4, 13, 15, tzinfo=UTC),
                     id="slashes"),
        # A time that states its offset keeps it; the zone names only offset-less times.
        pytest.param("2018-06-04T10:15:00Z", dt.datetime(2018, 6, 4, 10, 15, tzinfo=UTC),
                     id="z"),
        pytest.param("2017-10-31 10:00:00+00:00", dt.datetime(2017, 10, 31, 10, tzinfo=UTC),
                     id="offset"),
        # Excel serial dates: days since 1899-12-30, the fraction the time of day.
        pytest.param("43466.5", dt.datetime(2019, 1, 1, 14, 0, tzinfo=UTC), id="serial"),
        pytest.param("43255", dt.datetime(2018, 6, 4, 3, 0, tzinfo=UTC), id="serial-date"),
        # Brazilian summer time (UTC-2) until 2018-02-18 and from 2017-10-15.
        pytest.param("2017-02-10 10:19:10", dt.datetime(2017, 2, 10, 12, 19, 10, tzinfo=UTC),
                     id="dst"),
        # The repeated hour at the end of DST and the skipped one at its start: fold=0, stably.
        pytest.param("2018-02-17 23:30:00", dt.datetime(2018, 2, 18, 1, 30, tzinfo=UTC),
                     id="repeated"),
        pytest.param("2017-10-15 00:30:00", dt.datetime(2017, 10, 15, 3, 30, tzinfo=UTC),
                     id="skipped"),
    ],
)  # fmt: skip
def test_local_times_become_aware_instants(text: str, utc: dt.datetime) -> None:
    at = parse_local(text, SP)
    assert at.tzinfo is not None
    assert at == utc


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("31/12/2017 10:00", "unparseable_date", id="day-first"),
        pytest.param("2017-02-30 10:00:00", "unparseable_date", id="no-such-day"),
        pytest.param("2017-10-31 25:00:00", "unparseable_date", id="hour-25"),
        pytest.param("yesterday", "unparseable_date", id="words"),
        pytest.param("20171031", "unparseable_date", id="basic-iso"),
        pytest.param("13/31/2017 1:00 PM", "unparseable_date", id="month-13"),
        pytest.param("6/4/2018 13:15 PM", "unparseable_date", id="hour-13-pm"),
        pytest.param("99999.5", "unparseable_date", id="serial-beyond-2099"),
        pytest.param("1999-12-31 20:59:59", "absurd_date", id="before-2000"),
        pytest.param("2100-01-01 00:00:00", "absurd_date", id="after-2099"),
    ],
)
def test_bad_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_local(text, SP)
    assert caught.value.reason == reason
    assert repr(text) in str(caught.value)


def test_a_date_only_promise_lasts_to_the_end_of_its_local_day() -> None:
    midnight = parse_local("2018-06-20 00:00:00", SP)
    assert end_of_local_day(midnight, SP) == dt.datetime(2018, 6, 21, 2, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "centavos"),
    [("179.49", 17949), ("0", 0), ("12", 1200), ("12.5", 1250), ("8.150", 815), (".99", 99)],
)
def test_amounts_are_exact_centavos(text: str, centavos: int) -> None:
    assert parse_minor(text, "price_not_a_number") == centavos


@pytest.mark.parametrize(
    ("text", "decimal_comma", "centavos"),
    [
        ("1,234.50", False, 123450),
        ("1,234,567", False, 123456700),
        ("1 234.50", False, 123450),
        ("1.234,50", True, 123450),
        ("12,5", True, 1250),
        ("179.49", True, 17949),  # a dot not followed by three digits is still a decimal mark
        ("1.234", True, 123400),
        ("1.234.567,8", True, 123456780),
    ],
)
def test_spreadsheet_numbers_keep_their_value(
    text: str, decimal_comma: bool, centavos: int
) -> None:
    assert parse_minor(text, "price", decimal_comma=decimal_comma) == centavos


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("12,50", "not a decimal number"),  # a comma groups thousands in a comma file
        ("1,23.4", "not a decimal number"),
        ("R$ 5", "not a decimal number"),
        ("1e3", "not a decimal number"),
        ("NaN", "not a decimal number"),
        ("", "not a decimal number"),
        ("-1.00", "negative"),
        ("0.001", "fractions of a minor unit"),
    ],
)
def test_bad_amounts_are_refused(text: str, why: str) -> None:
    with pytest.raises(FieldError, match=why) as caught:
        parse_minor(text, "price_not_a_number")
    assert caught.value.reason == "price_not_a_number"


def test_reader_tolerates_bom_crlf_quotes_blank_lines_and_latin1(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(
        b"\xef\xbb\xbfId ,Text,Extra\r\n"
        b'1,"two\r\nlines",x\r\n'
        b"\r\n"
        b"2,n\xe3o,y\r\n"  # Latin-1 on one line of a UTF-8 file
        b"3,n\xc3\xa3o,z\r\n"
        b"4,too,many,cells\r\n"
        b"5,short\r\n"
    )
    table = read_csv(path, ["id"], ["text", "absent"])
    assert [(r.line, r.get("id"), r.get("text"), r.get("absent")) for r in table.rows] == [
        (2, "1", "two\r\nlines", ""),
        (5, "2", "não", ""),
        (6, "3", "não", ""),
    ]
    assert table.malformed == [
        (7, "4 fields, the header has 3"),
        (8, "2 fields, the header has 3"),
    ]
    assert (table.read, table.latin1_lines) == (5, 1)


def test_reader_accepts_aliases_and_names_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "sellers.csv"
    path.write_text("seller_id,seler_city\ns1,Campinas\n", "utf-8")
    table = read_csv(path, ["seller_id"], ["seller_city"], {"seller_city": ["seler_city"]})
    assert table.rows[0].get("seller_city") == "Campinas"
    with pytest.raises(ExportError, match=r"^sellers.csv: missing column `seller_state` \("):
        read_csv(path, ["seller_id", "seller_state"])


def test_reader_reports_bad_quoting_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,2\n3,"x"y\n4,5\n6,"open\n7,8\n', "utf-8")
    table = read_csv(path, ["a"])
    assert [(r.line, r.get("a")) for r in table.rows] == [(2, "1"), (4, "4")]
    assert [line for line, _ in table.malformed] == [3, 5]
    assert all("bad CSV quoting" in why for _, why in table.malformed)


def test_accounts_refuse_to_lose_or_double_count_a_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n2\n", "utf-8")
    table = read_csv(path, ["a"])
    accounts = Accounts()
    accounts.add_table(table)
    accounts.use(table.rows[0])
    with pytest.raises(AssertionError, match="1 used and 0 skipped"):
        accounts.check()
    with pytest.raises(AssertionError, match="accounted twice"):
        accounts.skip(table.rows[0], "again")
    accounts.skip(table.rows[1], "why", "detail")
    accounts.check()
    assert accounts.skipped_by_reason() == {"why": 1}


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        pytest.param(b"a;b;c\n1;2,5;3\n", ";", id="semicolon"),
        pytest.param(b"a\tb\tc\n1\t2\t3\n", "\t", id="tab"),
        pytest.param(b"a|b|c\n1|2|3\n", "|", id="pipe"),
        pytest.param(b'a,"b;x;y",c\n1,2,3\n', ",", id="quoted-semicolon"),
        pytest.param(b"a;b;c\r1;2,5;3\r", ";", id="bare-cr"),
        pytest.param("a\tb\tc\r\n1\t2\t3\r\n".encode("utf-16"), "\t", id="utf-16"),
    ],
)
def test_the_separator_is_sniffed_from_the_header(data: bytes, delimiter: str) -> None:
    table = parse_csv("t.csv", data, ["A"], ["c"])
    assert table.delimiter == delimiter
    assert [(r.get("A"), r.get("c")) for r in table.rows] == [("1", "3")]
    assert table.rows[0].decimal_comma == (delimiter == ";")


def test_an_unnamed_row_index_and_trailing_empty_columns_are_not_data() -> None:
    # R's write.table: one cell more per row than the header has names.
    table = parse_csv("r.csv", b'"a","b"\n"1","x","y"\n"2","z","w"\n"3","v"\n', ["a", "b"])
    assert [(r.get("a"), r.get("b")) for r in table.rows] == [("x", "y"), ("z", "w")]
    assert table.malformed == [(4, "2 fields, the header has 3")]  # a short row is refused
    # Excel's stray trailing commas: named columns first, blank ones after, of any width.
    table = parse_csv("e.csv", b"a,b,,\n1,2,,\n3,4\n5,6,,,,\n7,8,,,9\n", ["a", "b"])
    assert [r.get("a") for r in table.rows] == ["1", "3", "5"]
    assert table.malformed == [(5, "5 fields, the header has 4")]


def test_column_names_match_whatever_their_case_and_spacing() -> None:
    table = parse_csv(
        "t.csv", b" Order ID ,ORDER_STATUS\nx,delivered\n", ["order_id"], ["order status"]
    )
    assert (table.rows[0].get("order_id"), table.rows[0].get("order status")) == ("x", "delivered")


@pytest.mark.parametrize(
    ("cells", "decimal_comma", "day_first"),
    [
        pytest.param([["31/12/2017 10:00"], ["1/2/2018"]], False, True, id="evidence-day-first"),
        pytest.param([["12/31/2017 10:00"], ["1/2/2018"]], True, False, id="evidence-month-first"),
        pytest.param([["1/2/2018"]], True, True, id="semicolon-file-day-first"),
        pytest.param([["1/2/2018"]], False, False, id="comma-file-month-first"),
        pytest.param([["31/12/2017"], ["12/31/2017"]], True, False, id="both-ways-month-first"),
    ],
)
def test_slash_dates_follow_their_file(
    cells: list[list[str]], decimal_comma: bool, day_first: bool
) -> None:
    assert slash_dates_day_first(cells, decimal_comma) is day_first


def test_a_day_first_file_reads_day_first() -> None:
    table = parse_csv("t.csv", b"a;b\n31/12/2017 10:00;x\n1/2/2018 9:00;y\n", ["a"])
    assert [parse_local(r.get("a"), SP, r.day_first) for r in table.rows] == [
        dt.datetime(2017, 12, 31, 12, 0, tzinfo=UTC),
        dt.datetime(2018, 2, 1, 11, 0, tzinfo=UTC),
    ]
